/**
 * Software rasteriser for the latent map's points. Canvas paths of 200k small rectangles cost
 * too much per frame in software rendering; here each point only adds 1 to a per-pixel count of its
 * colour layer, and one pass over the pixels turns the counts into RGBA: a pixel hit n times by a
 * layer drawn with opacity a is covered 1 − (1 − a)^n by its colour, and the layers are composited
 * in order (source-over), which is what filling the batches one after another gives.
 */

/**
 * Per pixel, a 4-bit hit count for each of up to four layers, packed into one 16-bit key. Fifteen
 * hits already cover a pixel to within 0.2 % at the lowest opacity used (0.35), so saturating there
 * loses nothing visible, and the key indexes a small table of finished colours.
 */
export interface PointRaster {
  width: number
  height: number
  keys: Uint16Array
}

export const MAX_LAYERS = 4
const COUNT_BITS = 4
const MAX_COUNT = (1 << COUNT_BITS) - 1

export function createRaster(): PointRaster {
  return { width: 0, height: 0, keys: new Uint16Array(0) }
}

/** Sizes the raster (keeping its grid when the size is unchanged) and zeroes every count. */
export function resetRaster(raster: PointRaster, width: number, height: number): void {
  const w = Math.max(0, Math.floor(width))
  const h = Math.max(0, Math.floor(height))
  if (w !== raster.width || h !== raster.height) {
    raster.width = w
    raster.height = h
    raster.keys = new Uint16Array(w * h)
  } else raster.keys.fill(0)
}

/** The hit count of one layer at pixel (x, y). */
export function hitCount(raster: PointRaster, layer: number, x: number, y: number): number {
  return ((raster.keys[y * raster.width + x] as number) >> (layer * COUNT_BITS)) & MAX_COUNT
}

/**
 * The pixel offsets a point covers, from the top-left of its size×size box: the whole box for a
 * square, the pixels whose centres lie inside the inscribed circle for a disc.
 */
export function footprint(size: number, disc: boolean): Int32Array {
  const s = Math.max(1, Math.round(size))
  const half = s / 2
  const out: number[] = []
  for (let dy = 0; dy < s; dy++) {
    for (let dx = 0; dx < s; dx++) {
      const cx = dx + 0.5 - half
      const cy = dy + 0.5 - half
      if (!disc || s <= 2 || cx * cx + cy * cy <= half * half) out.push(dx, dy)
    }
  }
  return Int32Array.from(out)
}

export interface RasterPass {
  xs: Float32Array
  ys: Float32Array
  /** Point indices of each layer, in drawing order. */
  layers: readonly Uint32Array[]
  /** Data to raster pixels: px = ax·x + bx, py = ay·y + by (the point's centre). */
  ax: number
  bx: number
  ay: number
  by: number
  /** Side of a point in raster pixels. */
  size: number
  disc: boolean
}

/** Adds every point to its layer's counts; returns how many points touch the raster. */
export function rasterizePoints(raster: PointRaster, pass: RasterPass): number {
  if (pass.layers.length > MAX_LAYERS)
    throw new Error(`the map raster holds ${MAX_LAYERS} colour layers, not ${pass.layers.length}`)
  const { xs, ys, ax, bx, ay, by } = pass
  const keys = raster.keys
  const w = raster.width
  const h = raster.height
  const s = Math.max(1, Math.round(pass.size))
  const half = s / 2
  const offsets = footprint(s, pass.disc)
  let inView = 0
  for (let layer = 0; layer < pass.layers.length; layer++) {
    const indices = pass.layers[layer] as Uint32Array
    const shift = layer * COUNT_BITS
    const one = 1 << shift
    const full = MAX_COUNT << shift
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number
      const x0 = Math.round(ax * (xs[i] as number) + bx - half)
      const y0 = Math.round(ay * (ys[i] as number) + by - half)
      // NaN fails every comparison, so points without coordinates are skipped here too.
      if (!(x0 > -s && x0 < w && y0 > -s && y0 < h)) continue
      inView++
      const inside = x0 >= 0 && y0 >= 0 && x0 + s <= w && y0 + s <= h
      // Each hit adds one to this layer's count unless it is already saturated (inlined: hot).
      if (inside && s <= 2) {
        const at = y0 * w + x0
        let v = keys[at] as number
        if ((v & full) !== full) keys[at] = v + one
        if (s === 1) continue
        v = keys[at + 1] as number
        if ((v & full) !== full) keys[at + 1] = v + one
        v = keys[at + w] as number
        if ((v & full) !== full) keys[at + w] = v + one
        v = keys[at + w + 1] as number
        if ((v & full) !== full) keys[at + w + 1] = v + one
        continue
      }
      for (let o = 0; o < offsets.length; o += 2) {
        const x = x0 + (offsets[o] as number)
        const y = y0 + (offsets[o + 1] as number)
        if (!inside && (x < 0 || y < 0 || x >= w || y >= h)) continue
        const at = y * w + x
        const v = keys[at] as number
        if ((v & full) !== full) keys[at] = v + one
      }
    }
  }
  return inView
}

/** Parses '#rrggbb'. */
export function hexColour(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16)
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255]
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/**
 * Composites the layers' counts into non-premultiplied RGBA (width×height×4), layer 0 at the
 * bottom; each layer has its colour and is drawn with opacity `alpha` per point.
 */
export function compositeRaster(
  raster: PointRaster,
  colours: readonly [number, number, number][],
  alpha: number,
  out: Uint8ClampedArray,
): void {
  const table = colourTable(colours, alpha)
  const n = raster.width * raster.height
  const keys = raster.keys
  const pixels = new Uint32Array(out.buffer, out.byteOffset, n)
  for (let p = 0; p < n; p++) pixels[p] = table[keys[p] as number] as number
}

/**
 * The packed RGBA pixel for every key: per layer, c hits cover 1 − (1 − a)^c; layers are
 * composited source-over in premultiplied form and the result un-premultiplied.
 */
export function colourTable(
  colours: readonly [number, number, number][],
  alpha: number,
): Uint32Array {
  const layers = colours.length
  const size = 1 << (COUNT_BITS * layers)
  const table = new Uint32Array(size)
  const cover = Float64Array.from({ length: MAX_COUNT + 1 }, (_, c) => 1 - (1 - alpha) ** c)
  for (let key = 0; key < size; key++) {
    let pr = 0
    let pg = 0
    let pb = 0
    let pa = 0
    for (let l = 0; l < layers; l++) {
      const a = cover[(key >> (l * COUNT_BITS)) & MAX_COUNT] as number
      if (a === 0) continue
      const [r, g, b] = colours[l] as [number, number, number]
      pr = r * a + pr * (1 - a)
      pg = g * a + pg * (1 - a)
      pb = b * a + pb * (1 - a)
      pa = a + pa * (1 - a)
    }
    if (pa === 0) continue
    const bytes = [pr / pa, pg / pa, pb / pa, pa * 255].map((v) =>
      Math.max(0, Math.min(255, Math.round(v))),
    ) as [number, number, number, number]
    table[key] = LITTLE_ENDIAN
      ? ((bytes[3] << 24) | (bytes[2] << 16) | (bytes[1] << 8) | bytes[0]) >>> 0
      : ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0
  }
  return table
}
