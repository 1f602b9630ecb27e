import type { ModelConfig } from '../../src/main/engine/model/config'

/** The seed's architecture at toy scale, so engine tests train in seconds. */
export const tinyModel: ModelConfig = {
  size: 16,
  latentDim: 8,
  encoderFilters: [4, 8, 8, 8],
  decoderFilters: [8, 8, 4],
  dropout: 0.25,
  leakyAlpha: 0.3,
}

export const smallModel: ModelConfig = {
  ...tinyModel,
  size: 32,
  latentDim: 16,
  encoderFilters: [8, 16, 16, 16],
  decoderFilters: [16, 16, 8],
}
