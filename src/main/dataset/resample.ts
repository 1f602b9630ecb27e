/**
 * Crop and resize of decoded pixels in plain JS. For the small CelebA photos this is cheaper than a
 * second libvips resize pass, and it is exactly reproducible. Downscaling averages the covered source
 * area (box filter with fractional edges); upscaling is bilinear.
 */
import type { CropBox } from './crop'

export interface AxisTaps {
  /** first source index per output sample */
  start: Int32Array
  count: Int32Array
  /** weights, `stride` per output sample */
  weights: Float64Array
  stride: number
}

/** Per-output-sample source taps along one axis: `srcLen` source samples from `offset` → `outLen`. */
export function axisTaps(offset: number, srcLen: number, outLen: number): AxisTaps {
  const scale = srcLen / outLen
  const stride = Math.ceil(scale) + 2
  const start = new Int32Array(outLen)
  const count = new Int32Array(outLen)
  const weights = new Float64Array(outLen * stride)
  for (let o = 0; o < outLen; o++) {
    if (scale >= 1) {
      const a = o * scale
      const b = a + scale
      const first = Math.floor(a)
      const last = Math.min(Math.ceil(b), srcLen) - 1
      start[o] = offset + first
      count[o] = last - first + 1
      for (let s = first; s <= last; s++) {
        weights[o * stride + (s - first)] = (Math.min(b, s + 1) - Math.max(a, s)) / scale
      }
    } else {
      // Pixel centres: output o sits at source coordinate (o + 0.5) * scale - 0.5.
      const x = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), srcLen - 1)
      const first = Math.floor(x)
      const second = Math.min(first + 1, srcLen - 1)
      start[o] = offset + first
      count[o] = second === first ? 1 : 2
      weights[o * stride] = second === first ? 1 : 1 - (x - first)
      if (second !== first) weights[o * stride + 1] = x - first
    }
  }
  return { start, count, weights, stride }
}

// Taps depend only on (box, size): CelebA ingests reuse one pair for every image.
let cachedKey = ''
let cachedTaps: { xs: AxisTaps; ys: AxisTaps } | null = null
let rowBuffer = new Float64Array(0)

function tapsFor(box: CropBox, size: number): { xs: AxisTaps; ys: AxisTaps } {
  const key = `${box.left},${box.top},${box.side},${size}`
  if (key !== cachedKey || !cachedTaps) {
    cachedTaps = { xs: axisTaps(0, box.side, size), ys: axisTaps(box.top, box.side, size) }
    cachedKey = key
  }
  return cachedTaps
}

/**
 * Crops `box` from interleaved pixels (`channels` 1–4; grey is spread to RGB, alpha dropped) and
 * resizes it to size×size RGB, written into `out` at `outOffset`. Each output row is first blended
 * vertically from whole source rows (contiguous memory), then horizontally.
 */
export function cropResize(
  src: Uint8Array,
  width: number,
  channels: number,
  box: CropBox,
  size: number,
  out: Uint8Array,
  outOffset = 0,
): void {
  const { xs, ys } = tapsFor(box, size)
  const rowStride = width * channels
  const first = box.left * channels
  const last = (box.left + box.side) * channels
  if (rowBuffer.length < last - first) rowBuffer = new Float64Array(last - first)
  const row = rowBuffer
  const greenOffset = channels < 3 ? 0 : 1
  const blueOffset = channels < 3 ? 0 : 2
  const xStart = xs.start
  const xCount = xs.count
  const xWeights = xs.weights
  const xStride = xs.stride
  let q = outOffset
  for (let o = 0; o < size; o++) {
    const n = ys.count[o]!
    const wBase = o * ys.stride
    let base = ys.start[o]! * rowStride + first
    const w0 = ys.weights[wBase]!
    for (let x = 0; x < last - first; x++) row[x] = w0 * src[base + x]!
    for (let k = 1; k < n; k++) {
      base += rowStride
      const w = ys.weights[wBase + k]!
      for (let x = 0; x < last - first; x++) row[x] = row[x]! + w * src[base + x]!
    }
    for (let ox = 0; ox < size; ox++) {
      let p = xStart[ox]! * channels
      const m = xCount[ox]!
      let wi = ox * xStride
      let r = 0
      let g = 0
      let b = 0
      for (let k = 0; k < m; k++) {
        const w = xWeights[wi++]!
        r += w * row[p]!
        g += w * row[p + greenOffset]!
        b += w * row[p + blueOffset]!
        p += channels
      }
      out[q++] = clampByte(r)
      out[q++] = clampByte(g)
      out[q++] = clampByte(b)
    }
  }
}

function clampByte(v: number): number {
  const rounded = Math.round(v)
  return rounded < 0 ? 0 : rounded > 255 ? 255 : rounded
}
