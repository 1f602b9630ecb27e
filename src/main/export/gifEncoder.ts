/**
 * A GIF89a writer with one global palette for every frame. libvips' GIF saver (cgif) takes its
 * global palette from the first frame only, or gives later frames local palettes (colour flicker in
 * a morph); it can only reuse a palette read from a GIF file. So the palette is built here from a
 * sample of all frames (median cut refined by k-means), every frame is mapped onto it, and the
 * indices are LZW-coded.
 */

export interface Palette {
  /** RGB triplets. */
  colours: Uint8Array
  count: number
}

export interface PixelSample {
  /** RGB, 3 bytes a pixel. */
  pixels: Uint8Array
  /** The frame each sampled pixel came from. */
  frame: Uint32Array
}

/**
 * Up to `sampleSize` pixels spread evenly over `totalPixels`, fed one frame at a time, so frames can
 * stream past without being kept.
 */
export class PixelSampler {
  private readonly step: number
  private readonly out: number[] = []
  private readonly frame: number[] = []
  private next = 0
  private base = 0
  private k = 0

  constructor(totalPixels: number, sampleSize: number) {
    this.step = Math.max(1, totalPixels / sampleSize)
  }

  add(f: Uint8Array): void {
    const pixels = f.length / 3
    while (this.next < this.base + pixels) {
      const p = Math.floor(this.next - this.base) * 3
      this.out.push(f[p] as number, f[p + 1] as number, f[p + 2] as number)
      this.frame.push(this.k)
      this.next += this.step
    }
    this.base += pixels
    this.k++
  }

  result(): PixelSample {
    return { pixels: Uint8Array.from(this.out), frame: Uint32Array.from(this.frame) }
  }
}

/** Up to `sampleSize` pixels spread evenly over all frames. */
export function samplePixels(frames: readonly Uint8Array[], sampleSize: number): PixelSample {
  const sampler = new PixelSampler(
    frames.reduce((s, f) => s + f.length / 3, 0),
    sampleSize,
  )
  for (const f of frames) sampler.add(f)
  return sampler.result()
}

interface Box {
  indices: Uint32Array
  /** Sum of squared distances to the box mean: what splitting it can reduce. */
  sse: number
  channel: number
  mean: number
}

function makeBox(sample: Uint8Array, indices: Uint32Array): Box {
  const n = indices.length
  let best = { channel: 0, variance: -1, mean: 0 }
  let sse = 0
  for (let c = 0; c < 3; c++) {
    let s = 0
    let s2 = 0
    for (const i of indices) {
      const v = sample[i * 3 + c] as number
      s += v
      s2 += v * v
    }
    const mean = s / n
    const variance = s2 / n - mean * mean
    sse += variance * n
    if (variance > best.variance) best = { channel: c, variance, mean }
  }
  return { indices, sse, channel: best.channel, mean: best.mean }
}

/**
 * Palette of at most maxColours for the least squared error (so the best PSNR): the box with the
 * largest squared error is split at its mean along its widest channel (variance-based cut, as in
 * Wu's quantiser), then k-means rounds move the colours to the centroids of what they represent.
 */
export function buildPalette(input: PixelSample, maxColours = 256, iterations = 8): Palette {
  const sample = input.pixels
  const group = input.frame
  const n = sample.length / 3
  if (n === 0) return { colours: new Uint8Array(3), count: 1 }
  const boxes: Box[] = [
    makeBox(
      sample,
      Uint32Array.from({ length: n }, (_, i) => i),
    ),
  ]
  while (boxes.length < maxColours) {
    let pick = -1
    for (let k = 0; k < boxes.length; k++) {
      const b = boxes[k] as Box
      if (b.indices.length > 1 && b.sse > 0 && (pick < 0 || b.sse > (boxes[pick] as Box).sse))
        pick = k
    }
    if (pick < 0) break
    const box = boxes[pick] as Box
    const left: number[] = []
    const right: number[] = []
    for (const i of box.indices) {
      if ((sample[i * 3 + box.channel] as number) <= box.mean) left.push(i)
      else right.push(i)
    }
    if (left.length === 0 || right.length === 0) {
      box.sse = 0
      continue
    }
    boxes.splice(
      pick,
      1,
      makeBox(sample, Uint32Array.from(left)),
      makeBox(sample, Uint32Array.from(right)),
    )
  }
  const k = boxes.length
  const centres = new Float64Array(k * 3)
  boxes.forEach((box, j) => {
    for (const i of box.indices) {
      for (let c = 0; c < 3; c++) {
        centres[j * 3 + c] = (centres[j * 3 + c] as number) + (sample[i * 3 + c] as number)
      }
    }
    for (let c = 0; c < 3; c++)
      centres[j * 3 + c] = (centres[j * 3 + c] as number) / box.indices.length
  })
  const sums = new Float64Array(k * 3)
  const counts = new Float64Array(k)
  const groups = group.reduce((m, g) => Math.max(m, g + 1), 1)
  const weight = new Float64Array(groups).fill(1)
  const groupSse = new Float64Array(groups)
  const groupCount = new Float64Array(groups)
  for (let it = 0; it < iterations; it++) {
    const nearest = new NearestColour(centres, k)
    sums.fill(0)
    counts.fill(0)
    groupSse.fill(0)
    groupCount.fill(0)
    for (let i = 0; i < n; i++) {
      const r = sample[i * 3] as number
      const g = sample[i * 3 + 1] as number
      const b = sample[i * 3 + 2] as number
      const j = nearest.find(r, g, b)
      const f = group[i] as number
      const w = weight[f] as number
      sums[j * 3] = (sums[j * 3] as number) + w * r
      sums[j * 3 + 1] = (sums[j * 3 + 1] as number) + w * g
      sums[j * 3 + 2] = (sums[j * 3 + 2] as number) + w * b
      counts[j] = (counts[j] as number) + w
      const dr = (centres[j * 3] as number) - r
      const dg = (centres[j * 3 + 1] as number) - g
      const db = (centres[j * 3 + 2] as number) - b
      groupSse[f] = (groupSse[f] as number) + dr * dr + dg * dg + db * db
      groupCount[f] = (groupCount[f] as number) + 1
    }
    for (let j = 0; j < k; j++) {
      const c = counts[j] as number
      if (c > 0) {
        for (let ch = 0; ch < 3; ch++) centres[j * 3 + ch] = (sums[j * 3 + ch] as number) / c
      }
    }
    // Frames that fit the palette worst weigh more in the next round: the worst frame's PSNR is
    // what a viewer notices, not the average.
    let meanMse = 0
    for (let f = 0; f < groups; f++)
      meanMse += (groupSse[f] as number) / Math.max(1, groupCount[f] as number)
    meanMse /= groups
    if (meanMse > 0) {
      for (let f = 0; f < groups; f++) {
        const mse = (groupSse[f] as number) / Math.max(1, groupCount[f] as number)
        weight[f] = ((weight[f] as number) * mse) / meanMse
      }
    }
  }
  const colours = Uint8Array.from(centres, (v) => Math.round(v))
  return { colours, count: k }
}

/**
 * Nearest palette colour by squared RGB distance. Colours are kept sorted by red; a search starts at
 * the query's red and walks outwards, stopping each way once the red gap alone exceeds the best
 * distance, so it looks at a handful of colours instead of all 256.
 */
export class NearestColour {
  private readonly order: Int32Array
  private readonly reds: Float64Array
  private readonly greens: Float64Array
  private readonly blues: Float64Array

  constructor(centres: ArrayLike<number>, count: number) {
    this.order = Int32Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => (centres[a * 3] as number) - (centres[b * 3] as number),
    )
    this.reds = Float64Array.from(this.order, (j) => centres[j * 3] as number)
    this.greens = Float64Array.from(this.order, (j) => centres[j * 3 + 1] as number)
    this.blues = Float64Array.from(this.order, (j) => centres[j * 3 + 2] as number)
  }

  find(r: number, g: number, b: number): number {
    const reds = this.reds
    const n = reds.length
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((reds[mid] as number) < r) lo = mid + 1
      else hi = mid
    }
    const start = Math.min(lo, n - 1)
    let best = start
    let bestD = this.distance(best, r, g, b)
    // Outwards from the nearest red, up then down, until the red gap alone exceeds the best distance.
    for (let step = 1; step >= -1; step -= 2) {
      for (let i = start + step; i >= 0 && i < n; i += step) {
        const dr = (reds[i] as number) - r
        if (dr * dr >= bestD) break
        const d = this.distance(i, r, g, b)
        if (d < bestD) {
          bestD = d
          best = i
        }
      }
    }
    return this.order[best] as number
  }

  private distance(i: number, r: number, g: number, b: number): number {
    const dr = (this.reds[i] as number) - r
    const dg = (this.greens[i] as number) - g
    const db = (this.blues[i] as number) - b
    return dr * dr + dg * dg + db * db
  }
}

/** Maps RGB pixels to palette indices through a cache keyed on 7 bits a channel. */
export class PaletteMapper {
  private readonly cache = new Int16Array(1 << 21).fill(-1)
  private readonly nearest: NearestColour

  constructor(readonly palette: Palette) {
    this.nearest = new NearestColour(palette.colours, palette.count)
  }

  map(rgb: Uint8Array, out: Uint8Array = new Uint8Array(rgb.length / 3)): Uint8Array {
    const cache = this.cache
    for (let p = 0, i = 0; i < out.length; i++, p += 3) {
      const r = rgb[p] as number
      const g = rgb[p + 1] as number
      const b = rgb[p + 2] as number
      const key = ((r >> 1) << 14) | ((g >> 1) << 7) | (b >> 1)
      let idx = cache[key] as number
      if (idx < 0) {
        // The cell's centre stands for every colour in it.
        idx = this.nearest.find((r & 0xfe) + 0.5, (g & 0xfe) + 0.5, (b & 0xfe) + 0.5)
        cache[key] = idx
      }
      out[i] = idx
    }
    return out
  }
}

/** Growable byte buffer. */
class ByteSink {
  bytes = new Uint8Array(1 << 16)
  length = 0
  push(b: number): void {
    if (this.length === this.bytes.length) this.grow(1)
    this.bytes[this.length++] = b
  }
  pushAll(src: ArrayLike<number>): void {
    if (this.length + src.length > this.bytes.length) this.grow(src.length)
    this.bytes.set(src, this.length)
    this.length += src.length
  }
  u16(v: number): void {
    this.push(v & 0xff)
    this.push((v >> 8) & 0xff)
  }
  private grow(extra: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra))
    next.set(this.bytes.subarray(0, this.length))
    this.bytes = next
  }
  result(): Uint8Array {
    return this.bytes.slice(0, this.length)
  }
}

const MAX_CODE = 4096

/** LZW table: (prefix code, next index) → code, reset cheaply by bumping a generation stamp. */
class LzwTable {
  private readonly codes = new Int16Array(MAX_CODE * 256)
  private readonly stamps = new Int32Array(MAX_CODE * 256)
  private generation = 1
  reset(): void {
    this.generation++
  }
  get(key: number): number {
    return this.stamps[key] === this.generation ? (this.codes[key] as number) : -1
  }
  set(key: number, code: number): void {
    this.stamps[key] = this.generation
    this.codes[key] = code
  }
}

export interface GifOptions {
  width: number
  height: number
  palette: Palette
  /** Plays of the animation: 0 forever, 1 once (no NETSCAPE block), n: n plays. */
  loop: number
}

/** Streams frames (palette indices) into a GIF with one global colour table. */
export class GifWriter {
  private readonly out = new ByteSink()
  private readonly table = new LzwTable()
  private readonly minCodeSize: number
  private finished = false
  frames = 0

  constructor(private readonly options: GifOptions) {
    const { width, height, palette, loop } = options
    if (palette.count < 1 || palette.count > 256)
      throw new Error(`gif: palette has ${palette.count} colours (1…256)`)
    if (width < 1 || height < 1 || width > 65535 || height > 65535)
      throw new Error(`gif: bad size ${width}×${height}`)
    let bits = 1
    while (1 << bits < palette.count) bits++
    this.minCodeSize = Math.max(2, bits)
    const o = this.out
    o.pushAll([0x47, 0x49, 0x46, 0x38, 0x39, 0x61])
    o.u16(width)
    o.u16(height)
    o.push(0x80 | ((bits - 1) << 4) | (bits - 1))
    o.push(0)
    o.push(0)
    const table = new Uint8Array(3 << bits)
    table.set(palette.colours.subarray(0, palette.count * 3))
    o.pushAll(table)
    if (loop !== 1) {
      if (!Number.isInteger(loop) || loop < 0 || loop > 65536)
        throw new Error(`gif: loop ${loop} must be 0…65536`)
      o.pushAll([0x21, 0xff, 0x0b])
      o.pushAll(Array.from('NETSCAPE2.0', (ch) => ch.charCodeAt(0)))
      o.pushAll([0x03, 0x01])
      o.u16(loop === 0 ? 0 : loop - 1)
      o.push(0)
    }
  }

  addFrame(indices: Uint8Array, delayCs: number): void {
    if (this.finished) throw new Error('gif: frame added after finish')
    const { width, height } = this.options
    if (indices.length !== width * height)
      throw new Error(`gif: frame has ${indices.length} pixels, expected ${width * height}`)
    const o = this.out
    const delay = Math.max(0, Math.min(65535, Math.round(delayCs)))
    // Graphic control: disposal 1 (leave in place), no transparency.
    o.pushAll([0x21, 0xf9, 0x04, 0x04])
    o.u16(delay)
    o.pushAll([0x00, 0x00])
    o.push(0x2c)
    o.u16(0)
    o.u16(0)
    o.u16(width)
    o.u16(height)
    o.push(0)
    o.push(this.minCodeSize)
    this.writeLzw(indices)
    this.frames++
  }

  finish(): Uint8Array {
    if (!this.finished) {
      this.out.push(0x3b)
      this.finished = true
    }
    return this.out.result()
  }

  private writeLzw(indices: Uint8Array): void {
    const o = this.out
    const minCode = this.minCodeSize
    const clear = 1 << minCode
    const eoi = clear + 1
    let codeSize = minCode + 1
    let nextCode = eoi + 1
    const table = this.table
    table.reset()
    // Sub-blocks of up to 255 bytes; the length byte is patched in when a block fills.
    const block = new Uint8Array(255)
    let blockLen = 0
    let acc = 0
    let accBits = 0
    const emit = (code: number): void => {
      acc |= code << accBits
      accBits += codeSize
      while (accBits >= 8) {
        block[blockLen++] = acc & 0xff
        acc >>>= 8
        accBits -= 8
        if (blockLen === 255) {
          o.push(255)
          o.pushAll(block)
          blockLen = 0
        }
      }
    }
    emit(clear)
    let cur = indices[0] as number
    for (let i = 1; i < indices.length; i++) {
      const k = indices[i] as number
      const key = (cur << 8) | k
      const found = table.get(key)
      if (found >= 0) {
        cur = found
        continue
      }
      emit(cur)
      if (nextCode === MAX_CODE) {
        emit(clear)
        nextCode = eoi + 1
        codeSize = minCode + 1
        table.reset()
      } else {
        if (nextCode >= 1 << codeSize) codeSize++
        table.set(key, nextCode++)
      }
      cur = k
    }
    emit(cur)
    emit(eoi)
    if (accBits > 0) {
      block[blockLen++] = acc & 0xff
      if (blockLen === 255) {
        o.push(255)
        o.pushAll(block)
        blockLen = 0
      }
    }
    if (blockLen > 0) {
      o.push(blockLen)
      o.pushAll(block.subarray(0, blockLen))
    }
    o.push(0)
  }
}
