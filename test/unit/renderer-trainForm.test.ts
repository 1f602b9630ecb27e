import { describe, expect, it } from 'vitest'
import { trainRequestSchema } from '../../src/shared/contract'
import { trainConfig } from '../../src/main/engine/model/config'
import {
  advancedPlaceholders,
  defaultTrainForm,
  toTrainRequest,
  type TrainForm,
} from '../../src/renderer/src/lib/trainForm'

function form(changes: Partial<TrainForm>): TrainForm {
  return { ...defaultTrainForm(), ...changes }
}

describe('toTrainRequest', () => {
  it('turns the default form into a valid request', () => {
    const result = toTrainRequest(defaultTrainForm())
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.request).toEqual({
      preset: 'classic-64',
      backend: 'auto',
      steps: 5000,
      seed: 1,
      previewEverySteps: 25,
    })
    expect(trainRequestSchema.safeParse(result.request).success).toBe(true)
  })

  it('sends exactly one of steps and epochs, by the chosen unit', () => {
    const result = toTrainRequest(form({ lengthMode: 'epochs', epochs: ' 12 ', steps: 'junk' }))
    expect(result).toMatchObject({ ok: true, request: { epochs: 12 } })
    if (result.ok) expect(result.request).not.toHaveProperty('steps')
  })

  it('passes every advanced field, decimals included, and omits empty ones', () => {
    const result = toTrainRequest(
      form({
        preset: 'classic-128',
        backend: 'wasm',
        steps: '40',
        seed: '7',
        batchSize: '16',
        learningRate: '5e-4',
        rLossFactor: '2000',
        beta: '0.5',
        klWarmupSteps: '100',
        checkpointEverySteps: '20',
        previewEverySteps: '5',
      }),
    )
    expect(result).toEqual({
      ok: true,
      request: {
        preset: 'classic-128',
        backend: 'wasm',
        steps: 40,
        seed: 7,
        batchSize: 16,
        learningRate: 0.0005,
        rLossFactor: 2000,
        beta: 0.5,
        klWarmupSteps: 100,
        checkpointEverySteps: 20,
        previewEverySteps: 5,
      },
    })
    const sparse = toTrainRequest(form({ previewEverySteps: '' }))
    expect(sparse.ok && 'previewEverySteps' in sparse.request).toBe(false)
  })

  it('names each field that is not a number of the right kind', () => {
    const result = toTrainRequest(
      form({ steps: '1.5', seed: '', batchSize: 'lots', learningRate: 'fast' }),
    )
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors.steps).toMatch(/whole number/)
    expect(result.errors.seed).toMatch(/required/)
    expect(result.errors.batchSize).toMatch(/whole number/)
    expect(result.errors.learningRate).toMatch(/number/)
  })

  it("reports the contract's range errors on the field at fault", () => {
    const result = toTrainRequest(form({ steps: '0', learningRate: '3', batchSize: '4096' }))
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(Object.keys(result.errors).sort()).toEqual(['batchSize', 'learningRate', 'steps'])
  })

  it('refuses a negative seed written as text', () => {
    const result = toTrainRequest(form({ seed: '-3' }))
    expect(result).toMatchObject({ ok: false, errors: { seed: expect.any(String) } })
  })
})

describe('advancedPlaceholders', () => {
  it('shows, for each preset, the settings the engine applies when a field is left empty', () => {
    for (const preset of ['classic-64', 'classic-128', 'studio-64', 'studio-128'] as const) {
      const shown = advancedPlaceholders(preset)
      const applied = trainConfig(preset)
      expect(Number(shown.learningRate), preset).toBe(applied.learningRate)
      expect(Number(shown.beta), preset).toBe(applied.beta)
      expect(Number(shown.batchSize), preset).toBe(applied.batchSize)
      expect(Number(shown.rLossFactor), preset).toBe(applied.rLossFactor)
      expect(Number(shown.klWarmupSteps), preset).toBe(applied.klWarmupSteps)
    }
    expect(advancedPlaceholders('studio-64').beta).not.toBe(advancedPlaceholders('classic-64').beta)
  })
})
