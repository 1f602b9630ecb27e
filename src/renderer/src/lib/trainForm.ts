/**
 * The Training screen's form: what the user typed (strings, so a half-typed number is not lost)
 * turned into a `training.start` request, with a message per field when it cannot be.
 */
import { trainRequestSchema, type TrainRequest } from '@shared/contract'
import {
  BACKEND_NAMES,
  PRESET_NAMES,
  REQUEST_DEFAULTS,
  presetTrainDefaults,
  type BackendChoice,
  type PresetName,
} from '@shared/training'

export type Preset = PresetName
export type { BackendChoice }
export const PRESETS: readonly Preset[] = PRESET_NAMES
export const BACKEND_CHOICES: readonly BackendChoice[] = BACKEND_NAMES

export interface TrainForm {
  preset: Preset
  lengthMode: 'steps' | 'epochs'
  steps: string
  epochs: string
  seed: string
  backend: BackendChoice
  batchSize: string
  learningRate: string
  rLossFactor: string
  beta: string
  klWarmupSteps: string
  checkpointEverySteps: string
  previewEverySteps: string
}

export type TrainFormField = keyof TrainForm
export type TrainFormErrors = Partial<Record<TrainFormField, string>>

export function defaultTrainForm(): TrainForm {
  return {
    preset: REQUEST_DEFAULTS.preset,
    lengthMode: 'steps',
    steps: '5000',
    epochs: '10',
    seed: String(REQUEST_DEFAULTS.seed),
    backend: REQUEST_DEFAULTS.backend,
    batchSize: '',
    learningRate: '',
    rLossFactor: '',
    beta: '',
    klWarmupSteps: '',
    checkpointEverySteps: '',
    previewEverySteps: String(REQUEST_DEFAULTS.previewEverySteps),
  }
}

/** What an empty advanced field means: the defaults the engine applies for `preset`, as placeholders. */
export function advancedPlaceholders(preset: Preset): Partial<Record<TrainFormField, string>> {
  const defaults = presetTrainDefaults(preset)
  return {
    batchSize: String(defaults.batchSize),
    learningRate: String(defaults.learningRate),
    rLossFactor: String(defaults.rLossFactor),
    beta: String(defaults.beta),
    klWarmupSteps: String(defaults.klWarmupSteps),
    checkpointEverySteps: 'each epoch',
    previewEverySteps: String(REQUEST_DEFAULTS.previewEverySteps),
  }
}

const INTEGER_FIELDS = [
  'steps',
  'epochs',
  'seed',
  'batchSize',
  'klWarmupSteps',
  'checkpointEverySteps',
  'previewEverySteps',
] as const
const DECIMAL_FIELDS = ['learningRate', 'rLossFactor', 'beta'] as const

type NumericField = (typeof INTEGER_FIELDS)[number] | (typeof DECIMAL_FIELDS)[number]

export type TrainFormResult =
  { ok: true; request: TrainRequest } | { ok: false; errors: TrainFormErrors }

/** The request the form describes, or why not; the contract's schema has the last word on ranges. */
export function toTrainRequest(form: TrainForm): TrainFormResult {
  const errors: TrainFormErrors = {}
  const numbers: Partial<Record<NumericField, number>> = {}
  const required = new Set<NumericField>(['seed', form.lengthMode])
  const skipped = form.lengthMode === 'steps' ? 'epochs' : 'steps'

  const read = (field: NumericField, integer: boolean): void => {
    if (field === skipped) return
    const text = String(form[field]).trim()
    if (text === '') {
      if (required.has(field)) errors[field] = 'required'
      return
    }
    const value = integer && /^\d+$/.test(text) ? Number(text) : integer ? NaN : Number(text)
    if (!Number.isFinite(value)) {
      errors[field] = integer ? 'a whole number' : 'a number'
      return
    }
    numbers[field] = value
  }
  for (const field of INTEGER_FIELDS) read(field, true)
  for (const field of DECIMAL_FIELDS) read(field, false)
  if (Object.keys(errors).length > 0) return { ok: false, errors }

  const request: TrainRequest = { preset: form.preset, backend: form.backend, ...numbers }
  const checked = trainRequestSchema.safeParse(request)
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = String(issue.path[0] ?? form.lengthMode) as TrainFormField
      errors[field] ??= issue.message
    }
    return { ok: false, errors }
  }
  return { ok: true, request }
}
