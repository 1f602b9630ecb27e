import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { DataSplit, TrainingData } from '../data/trainingData'
import { klWeight } from '../model/loss'
import { mixSeed, permutation } from '../model/rng'
import { evaluateSplit, type EvalResult } from './evaluate'
import { measureQuality, type RunQuality } from './quality'
import type { StepLoss, StepTrainer } from './trainer'

export const CHECKPOINT_FILE = 'checkpoint.ckpt'

export type TrainEvent =
  | {
      type: 'step'
      step: number
      epoch: number
      stepInEpoch: number
      stepsPerEpoch: number
      total: number
      recon: number
      kl: number
      klWeight: number
      imagesPerSecond: number
    }
  | { type: 'epoch'; epoch: number; step: number; train: StepLoss; validation: EvalResult | null }
  | { type: 'checkpoint'; step: number; file: string }
  | {
      type: 'preview'
      step: number
      size: number
      /** The fixed validation faces (RGB NHWC) and their reconstructions (RGBA), as the seed's callback. */
      originals: Uint8Array
      reconstructions: Uint8ClampedArray
    }
  | {
      type: 'done'
      step: number
      stopped: boolean
      test: EvalResult | null
      /** Measured when the run reaches its target with a test split. */
      quality?: RunQuality | null
    }

export interface RunOptions {
  data: TrainingData
  epochs: number
  /** Total steps to reach; when set it wins over `epochs`. */
  steps?: number
  runDir: string
  /** Steps between reconstructions of the fixed preview faces; 0 or absent = none. */
  previewEverySteps?: number
  /** How many validation faces (the first ones) make the preview; default 8. */
  previewImages?: number
  /** Steps between checkpoints; default once per epoch. */
  checkpointEverySteps?: number
  /** Cap on validation/test images evaluated (the first ones of the split, in order). */
  maxEvalImages?: number
  /** Aborting stops after the current step, writes a checkpoint, and returns. */
  signal?: AbortSignal
  /** Awaited before each step: the worker parks here while paused. */
  beforeStep?: () => Promise<void>
  onEvent?: (event: TrainEvent) => void
}

export interface RunResult {
  step: number
  stopped: boolean
  test: EvalResult | null
  quality?: RunQuality | null
}

/** Batch b of an epoch: a slice of that epoch's permutation, a pure function of (seed, epoch, b). */
export class EpochOrder {
  private epoch = -1
  private order: Uint32Array = new Uint32Array(0)

  constructor(
    private readonly seed: number,
    private readonly count: number,
    private readonly batchSize: number,
  ) {}

  batch(epoch: number, b: number): number[] {
    if (epoch !== this.epoch) {
      this.order = permutation(this.count, mixSeed(this.seed, epoch, 0x5f1e))
      this.epoch = epoch
    }
    return Array.from(this.order.subarray(b * this.batchSize, (b + 1) * this.batchSize))
  }
}

/** The first validation faces (train faces if there is no validation split). */
async function previewBatch(data: TrainingData, count: number): Promise<Uint8Array | null> {
  if (count <= 0) return null
  const split: DataSplit = data.count('validation') > 0 ? 'validation' : 'train'
  const n = Math.min(count, data.count(split))
  if (n === 0) return null
  return data.readBatch(
    split,
    Array.from({ length: n }, (_, i) => i),
  )
}

/**
 * Trains from the trainer's current step to `epochs` epochs. Batches drop the remainder so every
 * step has the same shape; the order depends only on (seed, epoch), so a resumed run sees the same
 * batches an uninterrupted one would.
 */
export async function runTraining(trainer: StepTrainer, opts: RunOptions): Promise<RunResult> {
  const { data } = opts
  const c = trainer.config
  if (data.size !== c.model.size) {
    throw new Error(`training data is ${data.size}px but the model expects ${c.model.size}px`)
  }
  const trainCount = data.count('train')
  const stepsPerEpoch = Math.floor(trainCount / c.batchSize)
  if (stepsPerEpoch < 1) {
    throw new Error(
      `the train split has ${trainCount} images, fewer than one batch of ${c.batchSize}`,
    )
  }
  mkdirSync(opts.runDir, { recursive: true })
  const checkpointFile = join(opts.runDir, CHECKPOINT_FILE)
  const every = opts.checkpointEverySteps ?? stepsPerEpoch
  const maxEval = opts.maxEvalImages ?? 1024
  const totalSteps = opts.steps ?? opts.epochs * stepsPerEpoch
  const preview = await previewBatch(data, opts.previewEverySteps ? (opts.previewImages ?? 8) : 0)
  const order = new EpochOrder(c.seed, trainCount, c.batchSize)
  const emit = (e: TrainEvent) => opts.onEvent?.(e)
  const checkpoint = async () => {
    await trainer.saveCheckpointAsync(checkpointFile)
    emit({ type: 'checkpoint', step: trainer.step, file: checkpointFile })
  }
  const epochSums = { total: 0, recon: 0, kl: 0, steps: 0 }
  let rate = 0

  while (trainer.step < totalSteps) {
    await opts.beforeStep?.()
    if (opts.signal?.aborted) {
      await checkpoint()
      return { step: trainer.step, stopped: true, test: null }
    }
    const step = trainer.step
    const epoch = Math.floor(step / stepsPerEpoch)
    const inEpoch = step % stepsPerEpoch
    const t0 = performance.now()
    const batch = await data.readBatch('train', order.batch(epoch, inEpoch))
    const loss = await trainer.trainStepAsync(batch)
    const seconds = (performance.now() - t0) / 1000
    // Exponential smoothing: steady, yet follows a change of speed within a few dozen steps.
    const instant = c.batchSize / Math.max(seconds, 1e-6)
    rate = rate === 0 ? instant : rate * 0.9 + instant * 0.1
    epochSums.total += loss.total
    epochSums.recon += loss.recon
    epochSums.kl += loss.kl
    epochSums.steps++
    emit({
      type: 'step',
      step: trainer.step,
      epoch,
      stepInEpoch: inEpoch + 1,
      stepsPerEpoch,
      ...loss,
      klWeight: klWeight(c.beta, c.klWarmupSteps, step),
      imagesPerSecond: rate,
    })
    if (inEpoch + 1 === stepsPerEpoch) {
      const k = Math.max(epochSums.steps, 1)
      emit({
        type: 'epoch',
        epoch,
        step: trainer.step,
        train: { total: epochSums.total / k, recon: epochSums.recon / k, kl: epochSums.kl / k },
        validation: await evaluateSplit(trainer, data, 'validation', maxEval),
      })
      Object.assign(epochSums, { total: 0, recon: 0, kl: 0, steps: 0 })
    }
    if (trainer.step % every === 0 && trainer.step < totalSteps) await checkpoint()
    if (preview && opts.previewEverySteps && trainer.step % opts.previewEverySteps === 0) {
      emit({
        type: 'preview',
        step: trainer.step,
        size: c.model.size,
        originals: preview,
        reconstructions: await trainer.reconstructAsync(preview),
      })
    }
  }
  await checkpoint()
  const test = await evaluateSplit(trainer, data, 'test', maxEval)
  const quality = test ? await measureQuality(trainer, data, test) : null
  emit({ type: 'done', step: trainer.step, stopped: false, test, quality })
  return { step: trainer.step, stopped: false, test, quality }
}
