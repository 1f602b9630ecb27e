/**
 * The signature of model/rng's fillDropoutMask, below it so that faster implementations drawing
 * the same values (simd/dropoutMask) need not import the model.
 */
export type FillDropoutMask = (
  mask: Float32Array,
  start: number,
  size: number,
  rate: number,
  seed: number,
) => void
