/** Model and training settings, the presets, and their validation. Pure. */
import {
  MAX_REPLICAS,
  PRESET_TRAINING,
  TRAIN_DEFAULTS as SHARED_DEFAULTS,
  type PresetName,
} from '../../../shared/training'

export { MAX_REPLICAS, type PresetName }

export interface ModelConfig {
  /** Square input side in pixels; must be divisible by 2^(number of encoder layers). */
  size: number
  latentDim: number
  encoderFilters: number[]
  /** Filters of the transposed convolutions before the last one (which always outputs 3 channels). */
  decoderFilters: number[]
  dropout: number
  /** Keras' LeakyReLU default. */
  leakyAlpha: number
}

export interface TrainConfig {
  model: ModelConfig
  batchSize: number
  learningRate: number
  rLossFactor: number
  /** KL weight after warm-up (1 = the classic VAE). */
  beta: number
  /** Steps over which the KL weight ramps linearly from 0 to beta; 0 = no warm-up. */
  klWarmupSteps: number
  seed: number
  /**
   * Data-parallel replicas (one tfjs instance per core) sharing each batch; absent = the backend's
   * default (replicaCount in parallel/parallelTrainer.ts). The maths does not depend on it beyond
   * float summation order.
   */
  replicas?: number
}

export const TRAIN_DEFAULTS: Omit<TrainConfig, 'model' | 'seed'> = { ...SHARED_DEFAULTS }

/** The seed notebook's model, exactly: the classic presets must never change. */
const CLASSIC: Omit<ModelConfig, 'size' | 'latentDim'> = {
  encoderFilters: [32, 64, 64, 64],
  decoderFilters: [64, 64, 32],
  dropout: 0.25,
  leakyAlpha: 0.3,
}

/**
 * Sharper at the same training time (README, "Presets"): the seed's layers without dropout, which
 * costs a mask per activation and slows what the decoder learns per step.
 */
const STUDIO: Omit<ModelConfig, 'size' | 'latentDim'> = { ...CLASSIC, dropout: 0 }

export const PRESETS: Record<PresetName, ModelConfig> = {
  'classic-128': { size: 128, latentDim: 200, ...CLASSIC },
  'classic-64': { size: 64, latentDim: 128, ...CLASSIC },
  'studio-128': { size: 128, latentDim: 200, ...STUDIO },
  'studio-64': { size: 64, latentDim: 128, ...STUDIO },
}

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name)
}

export function trainConfig(
  model: ModelConfig | PresetName,
  overrides: Partial<Omit<TrainConfig, 'model'>> = {},
): TrainConfig {
  const m = typeof model === 'string' ? PRESETS[model] : model
  const presetTraining = typeof model === 'string' ? PRESET_TRAINING[model] : {}
  const config: TrainConfig = {
    ...TRAIN_DEFAULTS,
    ...presetTraining,
    seed: 1,
    ...overrides,
    model: { ...m },
  }
  validateTrainConfig(config)
  return config
}

function positiveInt(value: number, field: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`training config: ${field} must be a positive integer (got ${value})`)
  }
}

export function validateModelConfig(m: ModelConfig): void {
  positiveInt(m.size, 'model.size')
  positiveInt(m.latentDim, 'model.latentDim')
  if (m.encoderFilters.length === 0)
    throw new Error('training config: model.encoderFilters is empty')
  m.encoderFilters.forEach((f, i) => positiveInt(f, `model.encoderFilters[${i}]`))
  m.decoderFilters.forEach((f, i) => positiveInt(f, `model.decoderFilters[${i}]`))
  if (m.decoderFilters.length + 1 !== m.encoderFilters.length) {
    throw new Error(
      `training config: model.decoderFilters needs ${m.encoderFilters.length - 1} entries (one ` +
        `per encoder layer, the last 3-channel layer implied); got ${m.decoderFilters.length}`,
    )
  }
  const factor = 2 ** m.encoderFilters.length
  if (m.size % factor !== 0) {
    throw new Error(`training config: model.size ${m.size} must be divisible by ${factor}`)
  }
  if (!(m.dropout >= 0 && m.dropout < 1)) {
    throw new Error(`training config: model.dropout must be in [0, 1) (got ${m.dropout})`)
  }
}

export function validateTrainConfig(c: TrainConfig): void {
  validateModelConfig(c.model)
  positiveInt(c.batchSize, 'batchSize')
  if (!(c.learningRate > 0)) throw new Error(`training config: learningRate must be > 0`)
  if (!(c.rLossFactor > 0)) throw new Error(`training config: rLossFactor must be > 0`)
  if (!(c.beta >= 0)) throw new Error(`training config: beta must be >= 0`)
  if (!(Number.isInteger(c.klWarmupSteps) && c.klWarmupSteps >= 0)) {
    throw new Error('training config: klWarmupSteps must be a non-negative integer')
  }
  if (!Number.isInteger(c.seed)) throw new Error(`training config: seed must be an integer`)
  if (c.replicas !== undefined) {
    positiveInt(c.replicas, 'replicas')
    if (c.replicas > MAX_REPLICAS || c.replicas > c.batchSize) {
      throw new Error(
        `training config: replicas must be at most ${Math.min(MAX_REPLICAS, c.batchSize)} ` +
          `(the batch size and ${MAX_REPLICAS}); got ${c.replicas}`,
      )
    }
  }
}

/** Spatial side of the encoder's last feature map. */
export function bottleneckSide(m: ModelConfig): number {
  return m.size / 2 ** m.encoderFilters.length
}
