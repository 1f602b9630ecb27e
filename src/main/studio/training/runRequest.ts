import type { MethodParsedInput } from '../../../shared/contract'
import type { NewRunRequest } from './trainingSession'

/** A `training.start` request, from the page or the command line, as the new run it asks for. */
export function newRunRequest(request: MethodParsedInput<'training.start'>): NewRunRequest {
  const { preset, steps, epochs, seed, backend, checkpointEverySteps, previewEverySteps } = request
  const overrides = {
    ...(request.batchSize !== undefined ? { batchSize: request.batchSize } : {}),
    ...(request.learningRate !== undefined ? { learningRate: request.learningRate } : {}),
    ...(request.rLossFactor !== undefined ? { rLossFactor: request.rLossFactor } : {}),
    ...(request.beta !== undefined ? { beta: request.beta } : {}),
    ...(request.klWarmupSteps !== undefined ? { klWarmupSteps: request.klWarmupSteps } : {}),
    ...(request.replicas !== undefined ? { replicas: request.replicas } : {}),
  }
  return {
    preset,
    steps,
    epochs,
    seed,
    backend,
    overrides,
    checkpointEverySteps,
    previewEverySteps,
  }
}
