/** Peak signal-to-noise ratio between two 8-bit images with the same layout; Infinity when equal. */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new Error(`psnr: images differ in size (${a.length} vs ${b.length} values)`)
  let se = 0
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number)
    se += d * d
  }
  if (se === 0) return Infinity
  return 10 * Math.log10((255 * 255 * a.length) / se)
}

/** PSNR over the RGB channels of an RGBA image (e.g. a decoded GIF frame) against an RGB one. */
export function psnrRgbaVsRgb(rgba: ArrayLike<number>, rgb: ArrayLike<number>): number {
  const pixels = rgb.length / 3
  if (rgba.length !== pixels * 4)
    throw new Error('psnr: RGBA and RGB images have different pixel counts')
  let se = 0
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      const d = (rgba[p * 4 + c] as number) - (rgb[p * 3 + c] as number)
      se += d * d
    }
  }
  if (se === 0) return Infinity
  return 10 * Math.log10((255 * 255 * pixels * 3) / se)
}
