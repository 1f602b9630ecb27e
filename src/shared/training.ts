/**
 * The training vocabulary every door shares: preset and backend names, the default settings and the
 * bounds of a request. The engine, the contract's schemas, the command line and the training form all
 * read them from here, so a new preset is one name here plus its row in the engine's PRESETS table.
 */

/** The model presets, in the order the form and `--help` list them. */
export const PRESET_NAMES = ['classic-64', 'classic-128', 'studio-64', 'studio-128'] as const
export type PresetName = (typeof PRESET_NAMES)[number]

/** The backends a run may ask for; `auto` picks the best one that works here. */
export const BACKEND_NAMES = [
  'auto',
  'tensorflow-gpu',
  'webgpu',
  'tensorflow',
  'wasm',
  'cpu',
] as const
export type BackendChoice = (typeof BACKEND_NAMES)[number]
export type BackendName = Exclude<BackendChoice, 'auto'>

/** Training settings a request may leave out. */
export const TRAIN_DEFAULTS = {
  batchSize: 32,
  learningRate: 5e-4,
  rLossFactor: 10000,
  beta: 1,
  klWarmupSteps: 0,
} as const

/**
 * Training settings a preset changes from TRAIN_DEFAULTS (which stay the seed's), chosen by
 * measurement on real faces (`npm run quality:presets`, README "Presets"): a KL weight below 1 lets
 * the latents carry more of each face, and without dropout's noise the higher rate stays stable.
 */
export type TrainSettings = { [K in keyof typeof TRAIN_DEFAULTS]: number }

const STUDIO_TRAINING: Partial<TrainSettings> = { learningRate: 1e-3, beta: 0.5 }

export const PRESET_TRAINING: Record<PresetName, Partial<TrainSettings>> = {
  'classic-64': {},
  'classic-128': {},
  'studio-64': STUDIO_TRAINING,
  'studio-128': STUDIO_TRAINING,
}

/** The settings a run of `preset` uses for what its request leaves out. */
export function presetTrainDefaults(preset: PresetName): TrainSettings {
  return { ...TRAIN_DEFAULTS, ...PRESET_TRAINING[preset] }
}

/** What a new run uses when the request does not say. */
export const REQUEST_DEFAULTS: {
  preset: PresetName
  seed: number
  backend: BackendChoice
  previewEverySteps: number
} = { preset: 'classic-64', seed: 1, backend: 'auto', previewEverySteps: 25 }

/** Images per step; 64–512 suit a GPU. */
export const MAX_BATCH_SIZE = 1024

/** A sanity bound on replicas: each is a thread holding a whole copy of the model and optimiser. */
export const MAX_REPLICAS = 16
