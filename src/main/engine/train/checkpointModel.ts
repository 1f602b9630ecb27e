import type { TrainConfig } from '../model/config'
import { VaeModel } from '../model/vaeModel'
import { readCheckpointWeights } from './checkpoint'

/** A checkpoint loaded for inference: its model, the settings it was trained with, and its step. */
export interface CheckpointModel {
  model: VaeModel
  config: TrainConfig
  /** The training step the weights are from: latents encoded with them are keyed by it. */
  step: number
}

/** The model of a checkpoint file, without its optimiser state (use Trainer.load to train on). */
export function loadCheckpointModel(file: string): CheckpointModel {
  const { header, params } = readCheckpointWeights(file)
  return {
    model: VaeModel.fromWeights(header.config.model, params),
    config: header.config,
    step: header.step,
  }
}
