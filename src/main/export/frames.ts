/** Decoded frames in, upscaled RGB frames out (sharp, Lanczos-3). */
import sharp from 'sharp'
import { throwIfCancelled, type TaskControl } from '../../shared/progress'

export interface FrameSet {
  width: number
  height: number
  /** 3 (RGB) or 4 (RGBA; alpha is flattened onto `background`). */
  channels: 3 | 4
  frames: readonly Uint8Array[]
}

export interface RenderOptions {
  /** Output width in pixels (16…512); the height keeps the frames' aspect ratio. */
  size: number
  /** Light unsharp mask after upscaling, to offset Lanczos' softness. */
  sharpen?: boolean
  /** Colour under transparent pixels of RGBA frames. */
  background?: { r: number; g: number; b: number }
}

export const MAX_EXPORT_SIZE = 512

export function checkFrameSet(set: FrameSet, what = 'export'): void {
  const { width, height, channels, frames } = set
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${what}: frame size ${width}×${height} must be positive whole numbers`)
  }
  if (channels !== 3 && channels !== 4)
    throw new Error(`${what}: channels ${channels} must be 3 (RGB) or 4 (RGBA)`)
  if (frames.length === 0) throw new Error(`${what}: no frames to export`)
  const bytes = width * height * channels
  frames.forEach((f, i) => {
    if (f.length !== bytes) {
      throw new Error(
        `${what}: frame ${i} has ${f.length} bytes, expected ${width}×${height}×${channels} = ${bytes}`,
      )
    }
  })
}

export function outputSize(
  set: FrameSet,
  options: RenderOptions,
  what = 'export',
): { width: number; height: number } {
  const { size } = options
  if (!Number.isInteger(size) || size < 16 || size > MAX_EXPORT_SIZE) {
    throw new Error(
      `${what}: size ${size} must be a whole number of pixels from 16 to ${MAX_EXPORT_SIZE}`,
    )
  }
  return { width: size, height: Math.max(1, Math.round((size * set.height) / set.width)) }
}

/** One frame through sharp: flatten, Lanczos-3 resize, optional light sharpening; raw RGB out. */
export async function renderFrame(
  set: Pick<FrameSet, 'width' | 'height' | 'channels'>,
  frame: Uint8Array,
  out: { width: number; height: number },
  options: Pick<RenderOptions, 'sharpen' | 'background'> = {},
): Promise<Uint8Array> {
  let img = sharp(frame, { raw: { width: set.width, height: set.height, channels: set.channels } })
  if (set.channels === 4)
    img = img.flatten({ background: options.background ?? { r: 0, g: 0, b: 0 } })
  if (out.width !== set.width || out.height !== set.height) {
    img = img.resize(out.width, out.height, { kernel: 'lanczos3', fit: 'fill' })
  }
  if (options.sharpen) img = img.sharpen({ sigma: 0.6, m1: 0.5, m2: 1.5 })
  const buf = await img.removeAlpha().raw().toBuffer()
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length)
}

/** All frames, a few at a time on sharp's thread pool, with progress and cancellation between batches. */
export async function renderFrames(
  set: FrameSet,
  options: RenderOptions,
  control: TaskControl = {},
  batch = 8,
): Promise<{ width: number; height: number; frames: Uint8Array[] }> {
  checkFrameSet(set)
  const size = outputSize(set, options)
  const frames: Uint8Array[] = []
  for (let start = 0; start < set.frames.length; start += batch) {
    throwIfCancelled(control.signal)
    control.onProgress?.({ phase: 'resize', done: start, total: set.frames.length })
    const part = set.frames.slice(start, start + batch)
    frames.push(...(await Promise.all(part.map((f) => renderFrame(set, f, size, options)))))
  }
  control.onProgress?.({ phase: 'resize', done: set.frames.length, total: set.frames.length })
  return { ...size, frames }
}
