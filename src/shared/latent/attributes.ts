import type { Vec } from './vector'

export interface AttributeEdit {
  vector: Vec
  intensity: number
}

/** z + Σ intensity·vector: several attribute directions applied to one face at once. */
export function applyVectors(z: Vec, edits: readonly AttributeEdit[]): Float32Array {
  const out = Float32Array.from(z)
  edits.forEach((edit, k) => {
    if (edit.vector.length !== z.length) {
      throw new Error(
        `applyVectors: edit ${k} has a vector of length ${edit.vector.length}, the latent has ${z.length}`,
      )
    }
    if (!Number.isFinite(edit.intensity)) {
      throw new Error(`applyVectors: edit ${k} has a non-finite intensity`)
    }
    for (let i = 0; i < out.length; i++)
      out[i] = (out[i] as number) + edit.intensity * (edit.vector[i] as number)
  })
  return out
}
