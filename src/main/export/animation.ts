/** Animated GIF, animated WebP and PNG-sequence export of decoded frames, all-or-nothing. */
import { join } from 'node:path'
import sharp from 'sharp'
import { throwIfCancelled, type TaskControl } from '../../shared/progress'
import { writeFileAtomic, writeFolderAtomic } from './atomic'
import {
  checkFrameSet,
  outputSize,
  renderFrame,
  renderFrames,
  type FrameSet,
  type RenderOptions,
} from './frames'
import { buildPalette, GifWriter, PaletteMapper, PixelSampler } from './gifEncoder'

export interface AnimationOptions extends RenderOptions {
  /** Per-frame display time in 1/100 s (one value for all, or one per frame); holds are longer delays. */
  delaysCs: number | readonly number[]
  /** Plays: 0 forever (default), 1 once, n times. */
  loop?: number
}

export interface GifExportOptions extends AnimationOptions {
  /** Palette size, 2…256 (default 256). */
  colours?: number
}

export interface WebpExportOptions extends AnimationOptions {
  /** Lossy quality 1…100 (default 90); ignored when lossless. */
  quality?: number
  lossless?: boolean
  /** libwebp effort 0…6 (default 2). */
  effort?: number
}

export interface ExportResult {
  path: string
  bytes: number
  frames: number
  width: number
  height: number
}

const PALETTE_SAMPLE = 20_000

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function delaysFor(options: AnimationOptions, count: number, what: string): number[] {
  const d = options.delaysCs
  const list = typeof d === 'number' ? new Array<number>(count).fill(d) : [...d]
  if (list.length !== count) throw new Error(`${what}: ${list.length} delays for ${count} frames`)
  list.forEach((v, i) => {
    if (!Number.isFinite(v) || v < 0 || v > 65535)
      throw new Error(`${what}: delay ${i} (${v}) must be 0…65535 hundredths of a second`)
  })
  return list.map((v) => Math.round(v))
}

function loopFor(options: AnimationOptions, what: string): number {
  const loop = options.loop ?? 0
  if (!Number.isInteger(loop) || loop < 0 || loop > 65535)
    throw new Error(`${what}: loop ${loop} must be 0 (forever) … 65535`)
  return loop
}

/** GIF bytes for frames already rendered at their output size (RGB). */
export function encodeGif(
  rendered: { width: number; height: number; frames: readonly Uint8Array[] },
  delaysCs: readonly number[],
  loop: number,
  colours = 256,
  control: TaskControl = {},
): Promise<Uint8Array> {
  async function* frames(): AsyncGenerator<Uint8Array> {
    yield* rendered.frames
  }
  return encodeGifStream(
    { ...rendered, count: rendered.frames.length, frames },
    delaysCs,
    loop,
    colours,
    control,
  )
}

/** Frames of one size, produced in order each time `frames()` is called. */
export interface FrameStream {
  width: number
  height: number
  count: number
  frames(): AsyncIterable<Uint8Array>
}

/**
 * GIF bytes from frames that stream past twice: once to sample the global palette, once to encode;
 * no frame is kept, so memory does not grow with the number of frames.
 */
export async function encodeGifStream(
  source: FrameStream,
  delaysCs: readonly number[],
  loop: number,
  colours = 256,
  control: TaskControl = {},
): Promise<Uint8Array> {
  if (!Number.isInteger(colours) || colours < 2 || colours > 256)
    throw new Error(`gif: colours ${colours} must be 2…256`)
  const total = source.count
  control.onProgress?.({ phase: 'palette', done: 0, total: 1 })
  const sampler = new PixelSampler(total * source.width * source.height, PALETTE_SAMPLE)
  for await (const frame of source.frames()) sampler.add(frame)
  const palette = buildPalette(sampler.result(), colours)
  const mapper = new PaletteMapper(palette)
  const writer = new GifWriter({ width: source.width, height: source.height, palette, loop })
  const indices = new Uint8Array(source.width * source.height)
  let i = 0
  for await (const frame of source.frames()) {
    if (i % 4 === 0) {
      await yieldToEventLoop()
      throwIfCancelled(control.signal)
      control.onProgress?.({ phase: 'encode', done: i, total })
    }
    writer.addFrame(mapper.map(frame, indices), delaysCs[i] as number)
    i++
  }
  control.onProgress?.({ phase: 'encode', done: total, total })
  return writer.finish()
}

type Rendered = Awaited<ReturnType<typeof renderFrames>>

/** Renders, encodes and writes an animation atomically; the formats differ only in `encode`. */
async function exportAnimation(
  set: FrameSet,
  path: string,
  options: AnimationOptions,
  control: TaskControl,
  encode: (rendered: Rendered, delays: number[], loop: number) => Promise<Uint8Array>,
): Promise<ExportResult> {
  checkFrameSet(set, path)
  const delays = delaysFor(options, set.frames.length, path)
  const loop = loopFor(options, path)
  const rendered = await renderFrames(set, options, control)
  const bytes = await encode(rendered, delays, loop)
  throwIfCancelled(control.signal)
  await writeFileAtomic(path, bytes)
  return {
    path,
    bytes: bytes.length,
    frames: set.frames.length,
    width: rendered.width,
    height: rendered.height,
  }
}

/** Animated GIF with one global palette for all frames (no colour flicker). */
export function exportGif(
  set: FrameSet,
  path: string,
  options: GifExportOptions,
  control: TaskControl = {},
): Promise<ExportResult> {
  return exportAnimation(set, path, options, control, (rendered, delays, loop) =>
    encodeGif(rendered, delays, loop, options.colours ?? 256, control),
  )
}

async function encodeWebp(
  rendered: { width: number; height: number; frames: readonly Uint8Array[] },
  delaysCs: readonly number[],
  loop: number,
  options: Pick<WebpExportOptions, 'quality' | 'lossless' | 'effort'>,
): Promise<Uint8Array> {
  const { width, height, frames } = rendered
  const tall = Buffer.concat(frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.length)))
  const buf = await sharp(tall, {
    raw: { width, height: height * frames.length, channels: 3, pageHeight: height },
    pages: -1,
  })
    .webp({
      quality: options.quality ?? 90,
      lossless: options.lossless ?? false,
      effort: options.effort ?? 2,
      loop,
      // sharp takes milliseconds.
      delay: delaysCs.map((d) => d * 10),
    })
    .toBuffer()
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length)
}

/** Animated WebP (libwebp through sharp). */
export function exportWebp(
  set: FrameSet,
  path: string,
  options: WebpExportOptions,
  control: TaskControl = {},
): Promise<ExportResult> {
  return exportAnimation(set, path, options, control, async (rendered, delays, loop) => {
    throwIfCancelled(control.signal)
    control.onProgress?.({ phase: 'encode', done: 0, total: 1 })
    const bytes = await encodeWebp(rendered, delays, loop, options)
    control.onProgress?.({ phase: 'encode', done: 1, total: 1 })
    return bytes
  })
}

export interface PngSequenceOptions extends RenderOptions {
  /** File name stem; frames are `${prefix}0001.png`, … (default 'frame-'). */
  prefix?: string
  /** Replace an existing folder (default false: an existing folder is an error). */
  overwrite?: boolean
}

export function sequenceFileName(prefix: string, index: number, count: number): string {
  return `${prefix}${String(index + 1).padStart(Math.max(4, String(count).length), '0')}.png`
}

/** A folder of numbered PNGs, created complete or not at all. */
export async function exportPngSequence(
  set: FrameSet,
  folder: string,
  options: PngSequenceOptions,
  control: TaskControl = {},
): Promise<ExportResult & { files: string[] }> {
  checkFrameSet(set, folder)
  const size = outputSize(set, options, folder)
  const prefix = options.prefix ?? 'frame-'
  if (/[/\\]/.test(prefix))
    throw new Error(`${folder}: prefix '${prefix}' must not contain a path separator`)
  const names = set.frames.map((_, i) => sequenceFileName(prefix, i, set.frames.length))
  let bytes = 0
  await writeFolderAtomic(
    folder,
    async (dir) => {
      for (let i = 0; i < set.frames.length; i++) {
        throwIfCancelled(control.signal)
        control.onProgress?.({ phase: 'write', done: i, total: set.frames.length })
        const rgb = await renderFrame(set, set.frames[i] as Uint8Array, size, options)
        const info = await sharp(rgb, { raw: { ...size, channels: 3 } })
          .png({ compressionLevel: 6 })
          .toFile(join(dir, names[i] as string))
        bytes += info.size
      }
      throwIfCancelled(control.signal)
      control.onProgress?.({ phase: 'write', done: set.frames.length, total: set.frames.length })
    },
    options.overwrite ?? false,
  )
  return { path: folder, bytes, frames: set.frames.length, ...size, files: names }
}

export type ExportFormat = 'gif' | 'webp' | 'png-sequence'

export interface SizeEstimate {
  bytes: number
  /** How many frames were actually encoded to make the estimate. */
  sampledFrames: number
  method: string
}

/**
 * Expected output size before exporting: a few frames spread over the animation are rendered and
 * encoded for real, and the per-frame bytes scaled to the whole count (plus the fixed header for
 * GIF). Frames of a morph are alike, so a sample of 3 is usually within a factor of 1.5; WebP's
 * inter-frame coding makes the real file smaller than the estimate, never much larger.
 */
export async function estimateExportSize(
  set: FrameSet,
  format: ExportFormat,
  options: RenderOptions &
    Partial<Pick<GifExportOptions, 'colours'>> &
    Pick<WebpExportOptions, 'quality' | 'lossless' | 'effort'>,
  samples = 3,
): Promise<SizeEstimate> {
  checkFrameSet(set, 'size estimate')
  const n = set.frames.length
  const k = Math.min(n, Math.max(1, samples))
  const picks = Array.from({ length: k }, (_, i) =>
    k === 1 ? 0 : Math.round((i * (n - 1)) / (k - 1)),
  )
  const sampleSet: FrameSet = { ...set, frames: picks.map((i) => set.frames[i] as Uint8Array) }
  const rendered = await renderFrames(sampleSet, options)
  const delays = new Array<number>(k).fill(10)
  if (format === 'gif') {
    const header = (
      await encodeGif(
        { ...rendered, frames: rendered.frames.slice(0, 1) },
        [10],
        0,
        options.colours ?? 256,
      )
    ).length
    const all = (await encodeGif(rendered, delays, 0, options.colours ?? 256)).length
    const perFrame = (all - header) / Math.max(1, k - 1)
    const bytes = k === 1 ? header * n : Math.round(header + perFrame * (n - 1))
    return {
      bytes,
      sampledFrames: k,
      method: `GIF: ${k} frames encoded with their own palette, per-frame bytes × ${n}`,
    }
  }
  if (format === 'webp') {
    const bytes = (await encodeWebp(rendered, delays, 0, options)).length
    return {
      bytes: Math.round((bytes * n) / k),
      sampledFrames: k,
      method: `WebP: ${k} spread-out frames encoded, × ${n}/${k}`,
    }
  }
  let total = 0
  for (const f of rendered.frames) {
    total += (
      await sharp(f, { raw: { width: rendered.width, height: rendered.height, channels: 3 } })
        .png({ compressionLevel: 6 })
        .toBuffer()
    ).length
  }
  return {
    bytes: Math.round((total * n) / k),
    sampledFrames: k,
    method: `PNG: ${k} frames encoded, mean size × ${n}`,
  }
}
