/** Latents → RGB faces through a FaceModel, many per call (one decode of N is far cheaper than N of one). */
import { throwIfCancelled, type TaskControl } from '../../../shared/progress'
import type { FaceModel } from '../faceModel'

export const DECODE_BATCH = 32

export function checkLatentSize(model: FaceModel, latents: readonly ArrayLike<number>[]): void {
  latents.forEach((z, i) => {
    if (z.length !== model.latentDim) {
      throw new Error(
        `keyframe latents have ${z.length} values (frame ${i}) but run ${model.runId} uses ${model.latentDim}; re-resolve the keyframes with this run`,
      )
    }
  })
}

export function rgbaToRgb(
  rgba: Uint8ClampedArray | Uint8Array,
  pixels: number,
  offset = 0,
): Uint8Array {
  const rgb = new Uint8Array(pixels * 3)
  for (let p = 0, s = offset; p < pixels; p++, s += 4) {
    rgb[p * 3] = rgba[s] as number
    rgb[p * 3 + 1] = rgba[s + 1] as number
    rgb[p * 3 + 2] = rgba[s + 2] as number
  }
  return rgb
}

/** RGB size×size faces, one per latent, in order; progress phase 'decode'. */
export async function decodeFaces(
  model: FaceModel,
  latents: readonly Float32Array[],
  control: TaskControl = {},
  batch = DECODE_BATCH,
): Promise<Uint8Array[]> {
  checkLatentSize(model, latents)
  const dim = model.latentDim
  const pixels = model.size * model.size
  const out: Uint8Array[] = []
  for (let start = 0; start < latents.length; start += batch) {
    throwIfCancelled(control.signal)
    control.onProgress?.({ phase: 'decode', done: start, total: latents.length })
    const part = latents.slice(start, start + batch)
    const z = new Float32Array(part.length * dim)
    part.forEach((v, i) => z.set(v, i * dim))
    const rgba = await model.decode(z)
    for (let i = 0; i < part.length; i++) out.push(rgbaToRgb(rgba, pixels, i * pixels * 4))
  }
  control.onProgress?.({ phase: 'decode', done: latents.length, total: latents.length })
  return out
}
