/** Synthetic CelebA-format faces: the public entry points. */
export { generateSyntheticDataset, DEFAULT_SYNTH_SEED } from './generate'
export type { SyntheticDatasetOptions } from './generate'
export { CELEBA_ATTRIBUTES } from './celebaAttributes'
export type { AttributeVector, CelebaAttribute } from './celebaAttributes'
