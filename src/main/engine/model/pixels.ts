/** Conversions between packed uint8 RGB images and the model's float pixels. Pure. */

/** uint8 NHWC RGB → float32 in [0, 1]. */
export function bytesToUnit(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length)
  const scale = 1 / 255
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] as number) * scale
  return out
}

/** float RGB in [0, 1] (NHWC) → RGBA bytes, alpha opaque, ready for ImageData. */
export function unitToRgba(pixels: Float32Array): Uint8ClampedArray {
  const count = pixels.length / 3
  const out = new Uint8ClampedArray(count * 4)
  for (let i = 0, o = 0, p = 0; i < count; i++, o += 4, p += 3) {
    out[o] = (pixels[p] as number) * 255 + 0.5
    out[o + 1] = (pixels[p + 1] as number) * 255 + 0.5
    out[o + 2] = (pixels[p + 2] as number) * 255 + 0.5
    out[o + 3] = 255
  }
  return out
}

/** Peak signal-to-noise ratio in dB for pixels in [0, 1]. */
export function psnrFromMse(mse: number): number {
  return mse > 0 ? 10 * Math.log10(1 / mse) : Infinity
}
