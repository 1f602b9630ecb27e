/**
 * Figures of a trained model's quality, from pixels and latents. Pure. Images are packed 8-bit
 * pixels, `stride` values per pixel (3 for RGB, 4 for RGBA), of which the first three are R, G, B.
 */

/** One channel of each image as floats in [0, 1], [image][y·side + x]. */
function channelPlane(
  pixels: ArrayLike<number>,
  image: number,
  side: number,
  stride: number,
  channel: number,
): Float64Array {
  const plane = new Float64Array(side * side)
  const base = image * side * side * stride + channel
  for (let p = 0; p < side * side; p++) plane[p] = (pixels[base + p * stride] as number) / 255
  return plane
}

/** Rec. 601 luma in [0, 1]. */
function lumaPlane(pixels: ArrayLike<number>, image: number, side: number, stride: number) {
  const plane = new Float64Array(side * side)
  const base = image * side * side * stride
  for (let p = 0; p < side * side; p++) {
    const o = base + p * stride
    plane[p] =
      (0.299 * (pixels[o] as number) +
        0.587 * (pixels[o + 1] as number) +
        0.114 * (pixels[o + 2] as number)) /
      255
  }
  return plane
}

/** The 11-tap Gaussian of σ = 1.5 that SSIM is defined with, normalised to sum 1. */
export const SSIM_WINDOW: Float64Array = (() => {
  const w = new Float64Array(11)
  let sum = 0
  for (let i = 0; i < 11; i++) {
    w[i] = Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5))
    sum += w[i] as number
  }
  for (let i = 0; i < 11; i++) w[i] = (w[i] as number) / sum
  return w
})()

/** Separable "valid" filtering of a side×side plane by the SSIM window. */
function blur(plane: Float64Array, side: number): Float64Array {
  const k = SSIM_WINDOW.length
  const out = side - k + 1
  const rows = new Float64Array(side * out)
  for (let y = 0; y < side; y++)
    for (let x = 0; x < out; x++) {
      let acc = 0
      for (let i = 0; i < k; i++)
        acc += (SSIM_WINDOW[i] as number) * (plane[y * side + x + i] as number)
      rows[y * out + x] = acc
    }
  const result = new Float64Array(out * out)
  for (let y = 0; y < out; y++)
    for (let x = 0; x < out; x++) {
      let acc = 0
      for (let i = 0; i < k; i++)
        acc += (SSIM_WINDOW[i] as number) * (rows[(y + i) * out + x] as number)
      result[y * out + x] = acc
    }
  return result
}

/**
 * Mean SSIM of two side×side planes in [0, 1] (Wang et al. 2004: Gaussian window 11, σ 1.5,
 * K1 = 0.01, K2 = 0.03, over the windows that fit inside the image).
 */
export function ssimPlane(a: Float64Array, b: Float64Array, side: number): number {
  if (side < SSIM_WINDOW.length)
    throw new Error(`ssim: images of ${side}px are smaller than the window`)
  const c1 = 0.01 ** 2
  const c2 = 0.03 ** 2
  const product = (u: Float64Array, v: Float64Array) => u.map((x, i) => x * (v[i] as number))
  const muA = blur(a, side)
  const muB = blur(b, side)
  const aa = blur(product(a, a), side)
  const bb = blur(product(b, b), side)
  const ab = blur(product(a, b), side)
  let sum = 0
  for (let i = 0; i < muA.length; i++) {
    const ma = muA[i] as number
    const mb = muB[i] as number
    const va = (aa[i] as number) - ma * ma
    const vb = (bb[i] as number) - mb * mb
    const cov = (ab[i] as number) - ma * mb
    sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
  }
  return sum / muA.length
}

/**
 * Two sets of `images` faces of side×side, each RGB or RGBA (a stride of 3 or 4): face n of `a`
 * against face n of `b`, colour channels only.
 */
export type FacePairs = [
  a: ArrayLike<number>,
  aStride: number,
  b: ArrayLike<number>,
  bStride: number,
  images: number,
  side: number,
]

/** Mean SSIM over images and the three colour channels. */
export function meanSsim(...[a, aStride, b, bStride, images, side]: FacePairs): number {
  let sum = 0
  for (let n = 0; n < images; n++)
    for (let c = 0; c < 3; c++) {
      sum += ssimPlane(
        channelPlane(a, n, side, aStride, c),
        channelPlane(b, n, side, bStride, c),
        side,
      )
    }
  return sum / (images * 3)
}

/** Variance of the 4-neighbour Laplacian over the interior of a side×side plane. */
export function laplacianVariance(plane: Float64Array, side: number): number {
  let sum = 0
  let sumSq = 0
  let count = 0
  for (let y = 1; y < side - 1; y++)
    for (let x = 1; x < side - 1; x++) {
      const i = y * side + x
      const l =
        (plane[i - side] as number) +
        (plane[i + side] as number) +
        (plane[i - 1] as number) +
        (plane[i + 1] as number) -
        4 * (plane[i] as number)
      sum += l
      sumSq += l * l
      count++
    }
  if (count === 0) return 0
  const mean = sum / count
  return sumSq / count - mean * mean
}

/** Mean over images of the variance of the Laplacian of their luma: how much fine detail they hold. */
export function meanLaplacianVariance(
  pixels: ArrayLike<number>,
  stride: number,
  images: number,
  side: number,
): number {
  let sum = 0
  for (let n = 0; n < images; n++)
    sum += laplacianVariance(lumaPlane(pixels, n, side, stride), side)
  return images > 0 ? sum / images : 0
}

/**
 * Sharpness of generated faces relative to real ones: the mean Laplacian variance of `samples` over
 * that of `real` (1 = as detailed as real faces; a blurred VAE sample scores well below).
 */
export function relativeSharpness(
  samples: ArrayLike<number>,
  sampleStride: number,
  sampleCount: number,
  real: ArrayLike<number>,
  realStride: number,
  realCount: number,
  side: number,
): number {
  const ref = meanLaplacianVariance(real, realStride, realCount, side)
  return ref > 0 ? meanLaplacianVariance(samples, sampleStride, sampleCount, side) / ref : 0
}

/**
 * Latent dimensions in use: those whose μ varies over the images by more than `threshold` (variance
 * over rows of an [n × dim] row-major matrix). Collapsed dimensions sit at the prior for every face.
 */
export function activeUnits(mu: Float32Array, dim: number, threshold = 0.01): number {
  const n = mu.length / dim
  if (!Number.isInteger(n)) throw new Error(`activeUnits: ${mu.length} values is not n × ${dim}`)
  if (n < 2) return 0
  let active = 0
  for (let j = 0; j < dim; j++) {
    let sum = 0
    for (let i = 0; i < n; i++) sum += mu[i * dim + j] as number
    const mean = sum / n
    let ss = 0
    for (let i = 0; i < n; i++) ss += ((mu[i * dim + j] as number) - mean) ** 2
    if (ss / n > threshold) active++
  }
  return active
}
