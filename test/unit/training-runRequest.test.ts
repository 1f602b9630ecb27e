/**
 * A `training.start` request becomes one new-run request, whichever door it came through: the page's
 * form and `face-studio train` both pass their settings through the contract's schema and this map.
 */
import { describe, expect, it } from 'vitest'
import { parseMethodInput } from '../../src/shared/contract'
import { PRESET_NAMES, REQUEST_DEFAULTS } from '../../src/shared/training'
import { PRESETS, trainConfig } from '../../src/main/engine/model/config'
import { newRunRequest } from '../../src/main/studio/training/runRequest'

describe('newRunRequest', () => {
  it('carries every setting of the request, the advanced ones as config overrides', () => {
    const advanced = {
      batchSize: 64,
      learningRate: 0.001,
      rLossFactor: 500,
      beta: 2,
      klWarmupSteps: 100,
      replicas: 2,
    }
    const cadence = { checkpointEverySteps: 50, previewEverySteps: 10 }
    const run = { preset: 'classic-128', epochs: 3, seed: 9, backend: 'wasm' } as const
    const request = parseMethodInput('training.start', { ...run, ...advanced, ...cadence })
    expect(newRunRequest(request)).toEqual({
      ...run,
      steps: undefined,
      overrides: advanced,
      ...cadence,
    })
  })

  it('leaves out what the request leaves out, so the engine applies its defaults', () => {
    const mapped = newRunRequest(parseMethodInput('training.start', { steps: 5 }))
    expect(mapped).toMatchObject({
      preset: REQUEST_DEFAULTS.preset,
      seed: REQUEST_DEFAULTS.seed,
      backend: REQUEST_DEFAULTS.backend,
      previewEverySteps: REQUEST_DEFAULTS.previewEverySteps,
      overrides: {},
    })
    const config = trainConfig(mapped.preset, { ...mapped.overrides, seed: mapped.seed })
    expect(config).toMatchObject({ batchSize: 32, learningRate: 5e-4, beta: 1 })
    expect(config.replicas).toBeUndefined()
  })

  it('knows every preset the engine has, by the one list of names', () => {
    for (const preset of PRESET_NAMES) {
      const request = parseMethodInput('training.start', { preset, steps: 1 })
      expect(trainConfig(newRunRequest(request).preset).model).toEqual(PRESETS[preset])
    }
  })
})
