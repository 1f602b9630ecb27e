import { Rng } from '../random'

/** z ~ N(0, T²I), reproducible from the seed: the same seed gives the same face on every door. */
export function sampleLatent(dim: number, seed: number, temperature = 1): Float32Array {
  const rng = new Rng(seed)
  return Float32Array.from({ length: dim }, () => rng.normal() * temperature)
}
