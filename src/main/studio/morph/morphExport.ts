/**
 * A timeline to a file: plan the frames, decode the distinct faces in batches, render and encode in
 * memory, and only then write — atomically, so a failed, cancelled or killed export leaves nothing
 * (the write itself is the last few milliseconds; see outputTarget for what a kill during it leaves).
 * Shared by the studio (through its inference process) and the CLI (in process): both pass a FaceModel.
 */
import { copyFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import type { ExportFormat } from '../../../shared/contractMorph'
import type { Timeline } from '../../../shared/latent'
import { throwIfCancelled, type TaskControl } from '../../../shared/progress'
import {
  encodeGifStream,
  estimateExportSize,
  exportContactStrip,
  exportWebp,
  renderContactStrip,
  outputSize,
  renderFrame,
  sequenceFileName,
  writeFileAtomic,
  writeFolderAtomic,
  type ContactStripInput,
  type FrameSet,
} from '../../export'
import type { FaceModel } from '../faceModel'
import { decodeFaces } from './decodeFaces'
import { framesInOrder } from './frameStream'
import { checkReplaceable, type OutputKind } from '../../export/outputGuard'
import { checkMorphBudget, planFrames, type FramePlan } from './framePlan'
import {
  checkFileTarget,
  checkSequenceTarget,
  removeStaleTemporaries,
  SEQUENCE_PREFIX,
} from './outputTarget'

export interface MorphRenderOptions {
  timeline: Timeline
  format: ExportFormat
  /** Output width in pixels (Lanczos-3 from the model's size), up to 512. */
  size: number
  sharpen?: boolean
  /** Plays of an animation: 0 forever (default). */
  loop?: number
  /** Real faces (RGB, model size) for the strip's ends; the decoded keyframes where null. */
  originals?: readonly [Uint8Array | null, Uint8Array | null]
}

export interface MorphExportRequest extends MorphRenderOptions {
  /** A file (GIF, WebP, strip PNG) or a folder (PNG sequence). */
  path: string
  /** Replace an existing file that is not an export of this kind (never a database). */
  force?: boolean
}

export interface MorphExportResult {
  path: string
  format: ExportFormat
  /** Frames in the output (files, for a sequence; cells including both originals, for a strip). */
  frames: number
  bytes: number
  width: number
  height: number
}

const SEQUENCE_PNG = { compressionLevel: 6 } as const

/** The file kind each single-file format writes, for what an export may replace. */
export const OUTPUT_KIND: Record<Exclude<ExportFormat, 'png-sequence'>, OutputKind> = {
  gif: 'gif',
  webp: 'webp',
  'png-strip': 'png',
}

function frameSet(model: FaceModel, frames: readonly Uint8Array[]): FrameSet {
  return { width: model.size, height: model.size, channels: 3, frames }
}

function stripInput(
  model: FaceModel,
  plan: FramePlan,
  faces: readonly Uint8Array[],
  originals: MorphRenderOptions['originals'],
): ContactStripInput {
  const frames = plan.frames.map((i) => faces[i] as Uint8Array)
  return {
    width: model.size,
    height: model.size,
    channels: 3,
    originals: [
      originals?.[0] ?? (frames[0] as Uint8Array),
      originals?.[1] ?? (frames[frames.length - 1] as Uint8Array),
    ],
    frames,
    alphas: plan.alphas,
  }
}

async function writeGif(
  model: FaceModel,
  plan: FramePlan,
  req: MorphExportRequest,
  control: TaskControl,
): Promise<MorphExportResult> {
  const set = frameSet(model, [])
  const out = outputSize(set, req)
  // Only the distinct faces at the model's size are kept; output frames stream to the encoder.
  const faces = await decodeFaces(model, plan.latents, control)
  const render = (i: number): Promise<Uint8Array> =>
    renderFrame(set, faces[i] as Uint8Array, out, req)
  const bytes = await encodeGifStream(
    { ...out, count: plan.frames.length, frames: () => framesInOrder(plan.frames, render) },
    plan.delaysCs ?? [],
    req.loop ?? 0,
    256,
    control,
  )
  throwIfCancelled(control.signal)
  await writeFileAtomic(req.path, bytes)
  return { path: req.path, format: 'gif', frames: plan.frames.length, bytes: bytes.length, ...out }
}

async function writeSequence(
  model: FaceModel,
  plan: FramePlan,
  req: MorphExportRequest,
  control: TaskControl,
): Promise<MorphExportResult> {
  const { overwrite } = checkSequenceTarget(req.path)
  const set = frameSet(model, [])
  const out = outputSize(set, req)
  const faces = await decodeFaces(model, plan.latents, control)
  const n = plan.frames.length
  let bytes = 0
  await writeFolderAtomic(
    req.path,
    async (dir) => {
      // Each distinct face is encoded once and written as soon as it is ready; a face shown again
      // (the ping-pong return) is copied from its first file instead of being held in memory.
      const firstFile = new Map<number, string>()
      const png = async (i: number): Promise<Buffer> =>
        sharp(await renderFrame(set, faces[i] as Uint8Array, out, req), {
          raw: { ...out, channels: 3 },
        })
          .png(SEQUENCE_PNG)
          .toBuffer()
      const fresh = plan.frames.map((face, i) => plan.frames.indexOf(face) === i)
      const order = plan.frames.map((face, i) => (fresh[i] ? face : -1))
      let i = 0
      for await (const data of framesInOrder(order, (face) =>
        face < 0 ? Promise.resolve(null) : png(face),
      )) {
        if (i % 16 === 0) {
          throwIfCancelled(control.signal)
          control.onProgress?.({ phase: 'write', done: i, total: n })
        }
        const face = plan.frames[i] as number
        const name = sequenceFileName(SEQUENCE_PREFIX, i, n)
        const earlier = firstFile.get(face)
        if (data === null && earlier !== undefined) {
          await copyFile(join(dir, earlier), join(dir, name))
          bytes += (await stat(join(dir, name))).size
        } else if (data !== null) {
          await writeFile(join(dir, name), data)
          firstFile.set(face, name)
          bytes += data.length
        }
        i++
      }
      control.onProgress?.({ phase: 'write', done: n, total: n })
    },
    overwrite,
  )
  return { path: req.path, format: 'png-sequence', frames: n, bytes, ...out }
}

/** Decodes, renders and writes the export; progress phases decode, resize/render, encode, write. */
export async function exportMorph(
  model: FaceModel,
  req: MorphExportRequest,
  control: TaskControl = {},
): Promise<MorphExportResult> {
  checkMorphBudget(req.timeline, req.format, req.size)
  if (req.format === 'png-sequence') checkSequenceTarget(req.path)
  else {
    checkFileTarget(req.path)
    checkReplaceable(req.path, OUTPUT_KIND[req.format], { force: req.force === true })
  }
  removeStaleTemporaries(req.path)
  const plan = planFrames(req.timeline, req.format)
  if (req.format === 'gif') return writeGif(model, plan, req, control)
  if (req.format === 'png-sequence') return writeSequence(model, plan, req, control)
  const faces = await decodeFaces(model, plan.latents, control)
  switch (req.format) {
    case 'webp': {
      const set = frameSet(
        model,
        plan.frames.map((i) => faces[i] as Uint8Array),
      )
      const r = await exportWebp(
        set,
        req.path,
        { ...req, delaysCs: plan.delaysCs ?? [], loop: req.loop ?? 0 },
        control,
      )
      return { ...r, format: 'webp' }
    }
    case 'png-strip': {
      const input = stripInput(model, plan, faces, req.originals)
      const r = await exportContactStrip(input, req.path, { cell: req.size }, control)
      return {
        path: req.path,
        format: 'png-strip',
        frames: r.layout.cells,
        bytes: r.bytes,
        width: r.layout.width,
        height: r.layout.height,
      }
    }
  }
}

/** Frame indices spread over 0…n−1, as the size estimator samples them. */
function spread(n: number, k: number): number[] {
  const m = Math.min(n, Math.max(1, k))
  return Array.from({ length: m }, (_, i) => (m === 1 ? 0 : Math.round((i * (n - 1)) / (m - 1))))
}

/**
 * Expected bytes without decoding the whole animation: a few spread frames are decoded and every
 * other slot borrows the nearest one, which is all the size estimator looks at. The strip is one
 * image, so it is rendered for real.
 */
export async function estimateMorph(
  model: FaceModel,
  options: MorphRenderOptions,
): Promise<{ bytes: number; frames: number }> {
  checkMorphBudget(options.timeline, options.format, options.size)
  const plan = planFrames(options.timeline, options.format)
  const n = plan.frames.length
  if (options.format === 'png-strip') {
    const faces = await decodeFaces(model, plan.latents)
    const { png, layout } = await renderContactStrip(
      stripInput(model, plan, faces, options.originals),
      { cell: options.size },
    )
    return { bytes: png.length, frames: layout.cells }
  }
  const picks = spread(n, 3)
  const faces = await decodeFaces(
    model,
    picks.map((p) => plan.latents[plan.frames[p] as number] as Float32Array),
  )
  const frames = Array.from({ length: n }, (_, i) => {
    let best = 0
    picks.forEach((p, k) => {
      if (Math.abs(p - i) < Math.abs((picks[best] as number) - i)) best = k
    })
    return faces[best] as Uint8Array
  })
  const estimate = await estimateExportSize(frameSet(model, frames), options.format, {
    size: options.size,
    sharpen: options.sharpen,
  })
  return { bytes: estimate.bytes, frames: n }
}
