/**
 * One image file → size×size×3 RGB bytes (the cache slot). Small photos (CelebA's 178×218) are
 * decoded by sharp and cropped/resized in JS, which costs less than a libvips resize pass; photos
 * much larger than the target let sharp crop and shrink them (JPEG shrink-on-load keeps that cheap).
 * Failures come back as a reason, never thrown: one bad file must not stop an ingest.
 */
import { readFile } from 'node:fs/promises'
import sharp from 'sharp'
import { cropBox, type CropSpec } from './crop'
import { headerDimensions } from './imageHeader'
import { jpegOrientation } from './jpegOrientation'
import { sharedJpegDecoder } from './jpegWasmDecoder'
import { cropResize } from './resample'

/** Larger images are refused before decoding: 8192² RGB is already 200 MB of pixels. */
export const MAX_PIXELS = 8192 * 8192
/** Crop sides at least this many times the target go through sharp's own resize. */
const SHARP_RESIZE_RATIO = 3

export type Preprocessed =
  { ok: true; pixels: Uint8Array; width: number; height: number } | { ok: false; reason: string }

sharp.cache(false)

const decodeOptions = {
  limitInputPixels: MAX_PIXELS,
  failOn: 'warning',
  sequentialRead: true,
} as const

/** How a file's bytes are read: fs/promises on the main thread; a worker may read synchronously. */
export type ReadBytes = (file: string) => Promise<Buffer>

export async function preprocessImage(
  file: string,
  size: number,
  crop: CropSpec,
  read: ReadBytes = readFile,
): Promise<Preprocessed> {
  let buf: Buffer
  try {
    buf = await read(file)
  } catch (error) {
    return { ok: false, reason: readReason(error as NodeJS.ErrnoException) }
  }
  if (buf.length === 0) return { ok: false, reason: 'empty file (0 bytes)' }
  try {
    const header = headerDimensions(buf)
    if (header && header.width * header.height > MAX_PIXELS) {
      return { ok: false, reason: tooLarge(header.width, header.height) }
    }
    const meta = header ? null : await sharp(buf, decodeOptions).metadata()
    const width = header?.width ?? meta?.width ?? 0
    const height = header?.height ?? meta?.height ?? 0
    if (Math.min(width, height) >= SHARP_RESIZE_RATIO * size * 1.2) {
      return await viaSharpResize(buf, size, crop)
    }
    const upright = jpegOrientation(buf) === 1
    const fast = upright ? (await sharedJpegDecoder()).decode(buf) : null
    const decoded =
      (fast && { ...fast, channels: 4 }) ??
      (await decodeWithSharp(
        upright ? sharp(buf, decodeOptions) : sharp(buf, decodeOptions).autoOrient(),
      ))
    const box = cropBox(crop, decoded.width, decoded.height)
    if (typeof box === 'string') return { ok: false, reason: box }
    const pixels = new Uint8Array(size * size * 3)
    cropResize(decoded.data, decoded.width, decoded.channels, box, size, pixels)
    return { ok: true, pixels, width: decoded.width, height: decoded.height }
  } catch (error) {
    return { ok: false, reason: decodeReason(error as Error) }
  }
}

async function decodeWithSharp(
  pipeline: ReturnType<typeof sharp>,
): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height, channels: info.channels }
}

async function viaSharpResize(buf: Buffer, size: number, crop: CropSpec): Promise<Preprocessed> {
  const meta = await sharp(buf, decodeOptions).metadata()
  const width = meta.autoOrient?.width ?? meta.width ?? 0
  const height = meta.autoOrient?.height ?? meta.height ?? 0
  const box = cropBox(crop, width, height)
  if (typeof box === 'string') return { ok: false, reason: box }
  const { data, info } = await sharp(buf, decodeOptions)
    .autoOrient()
    .extract({ left: box.left, top: box.top, width: box.side, height: box.side })
    .resize(size, size)
    .raw()
    .toBuffer({ resolveWithObject: true })
  const pixels = new Uint8Array(size * size * 3)
  cropResize(data, info.width, info.channels, { left: 0, top: 0, side: size }, size, pixels)
  return { ok: true, pixels, width, height }
}

function tooLarge(width: number, height: number): string {
  return `${width}×${height} pixels is larger than the ${MAX_PIXELS.toLocaleString('en')}-pixel limit; downscale it first`
}

function readReason(error: NodeJS.ErrnoException): string {
  if (error.code === 'EISDIR') return 'a folder, not a file; cannot be read'
  if (error.code === 'EACCES' || error.code === 'EPERM') return 'permission denied; cannot be read'
  if (error.code === 'ENOENT') return 'file removed during the ingest'
  return `cannot be read (${error.code ?? error.message})`
}

function decodeReason(error: Error): string {
  const message = (error.message.split('\n')[0] ?? '').trim()
  if (/unsupported image format/i.test(message))
    return 'not an image: unsupported or unrecognised format'
  if (/pixel limit/i.test(message))
    return `larger than the ${MAX_PIXELS.toLocaleString('en')}-pixel limit; downscale it first`
  if (/premature end|truncated|corrupt|invalid|bad/i.test(message)) {
    return `corrupt or truncated image (${message})`
  }
  return `cannot be decoded (${message})`
}

export interface PreprocessJob {
  id: number
  /** absolute path of the image */
  file: string
}

export type JobOutcome =
  | { id: number; ok: true; width: number; height: number }
  | { id: number; ok: false; reason: string }

/**
 * Preprocesses `jobs`, `concurrency` at a time, handing each good slot to `write` (which must finish
 * before the outcome counts); outcomes come back in job order.
 */
export async function processJobs(
  jobs: readonly PreprocessJob[],
  size: number,
  crop: CropSpec,
  write: (id: number, pixels: Uint8Array) => Promise<void>,
  concurrency = 2,
  read: ReadBytes = readFile,
): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = new Array(jobs.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++
      const job = jobs[index] as PreprocessJob
      const result = await preprocessImage(job.file, size, crop, read)
      if (result.ok) {
        await write(job.id, result.pixels)
        outcomes[index] = { id: job.id, ok: true, width: result.width, height: result.height }
      } else {
        outcomes[index] = { id: job.id, ok: false, reason: result.reason }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane))
  return outcomes
}
