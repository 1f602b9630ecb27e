/**
 * The seed's contact strip: the two original faces at the ends, the morph frames between them, and
 * under each its α (or "original"), drawn as an SVG text overlay composited by sharp.
 */
import sharp, { type OverlayOptions } from 'sharp'
import { throwIfCancelled, type TaskControl } from '../../shared/progress'
import { writeFileAtomic } from './atomic'
import { checkFrameSet, renderFrame, type FrameSet } from './frames'

export interface ContactStripInput {
  width: number
  height: number
  channels: 3 | 4
  /** The two real faces: shown first and last, captioned "original". */
  originals: readonly [Uint8Array, Uint8Array]
  frames: readonly Uint8Array[]
  /** One α per frame (0 = first original, 1 = second). */
  alphas: readonly number[]
}

export interface ContactStripOptions {
  /** Cell width in pixels (16…512, default 96); height follows the frames' aspect ratio. */
  cell?: number
  gap?: number
  captionHeight?: number
  background?: { r: number; g: number; b: number }
  textColour?: string
  /** Decimals of α in captions (default 2). */
  decimals?: number
}

export interface ContactStripLayout {
  width: number
  height: number
  cellWidth: number
  cellHeight: number
  cells: number
}

export function contactStripLayout(
  input: ContactStripInput,
  options: ContactStripOptions = {},
): ContactStripLayout {
  const cellWidth = options.cell ?? 96
  if (!Number.isInteger(cellWidth) || cellWidth < 16 || cellWidth > 512) {
    throw new Error(
      `contact strip: cell ${cellWidth} must be a whole number of pixels from 16 to 512`,
    )
  }
  const cellHeight = Math.max(1, Math.round((cellWidth * input.height) / input.width))
  const gap = options.gap ?? 4
  const caption = options.captionHeight ?? Math.max(14, Math.round(cellWidth / 5))
  const cells = input.frames.length + 2
  return {
    width: cells * cellWidth + (cells + 1) * gap,
    height: cellHeight + caption + 2 * gap,
    cellWidth,
    cellHeight,
    cells,
  }
}

const escapeXml = (s: string): string =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  )

/** The strip as PNG bytes. */
export async function renderContactStrip(
  input: ContactStripInput,
  options: ContactStripOptions = {},
  control: TaskControl = {},
): Promise<{ png: Uint8Array; layout: ContactStripLayout }> {
  const set: FrameSet = {
    width: input.width,
    height: input.height,
    channels: input.channels,
    frames: [...input.originals, ...input.frames],
  }
  checkFrameSet(set, 'contact strip')
  if (input.alphas.length !== input.frames.length) {
    throw new Error(
      `contact strip: ${input.alphas.length} α values for ${input.frames.length} frames`,
    )
  }
  const layout = contactStripLayout(input, options)
  const gap = options.gap ?? 4
  const decimals = options.decimals ?? 2
  const cellSize = { width: layout.cellWidth, height: layout.cellHeight }
  const ordered = [input.originals[0], ...input.frames, input.originals[1]]
  const captions = [
    'original',
    ...input.alphas.map((a) => `α = ${a.toFixed(decimals)}`),
    'original',
  ]
  const overlays: OverlayOptions[] = []
  for (let i = 0; i < ordered.length; i++) {
    throwIfCancelled(control.signal)
    control.onProgress?.({ phase: 'render', done: i, total: ordered.length })
    const rgb = await renderFrame(set, ordered[i] as Uint8Array, cellSize, {
      background: options.background,
    })
    overlays.push({
      input: Buffer.from(rgb.buffer, rgb.byteOffset, rgb.length),
      raw: { ...cellSize, channels: 3 },
      left: gap + i * (layout.cellWidth + gap),
      top: gap,
    })
  }
  const fontSize = Math.max(9, Math.round((layout.height - layout.cellHeight - 2 * gap) * 0.62))
  const textY =
    gap +
    layout.cellHeight +
    Math.round((layout.height - layout.cellHeight - gap) / 2) +
    Math.round(fontSize * 0.35)
  const texts = captions
    .map((c, i) => {
      const x = gap + i * (layout.cellWidth + gap) + layout.cellWidth / 2
      return `<text x="${x}" y="${textY}" text-anchor="middle">${escapeXml(c)}</text>`
    })
    .join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}"><g font-family="DejaVu Sans, Arial, sans-serif" font-size="${fontSize}" fill="${escapeXml(options.textColour ?? '#222')}">${texts}</g></svg>`
  overlays.push({ input: Buffer.from(svg), left: 0, top: 0 })
  const bg = options.background ?? { r: 255, g: 255, b: 255 }
  const png = await sharp({
    create: { width: layout.width, height: layout.height, channels: 3, background: bg },
  })
    .composite(overlays)
    .png()
    .toBuffer()
  control.onProgress?.({ phase: 'render', done: ordered.length, total: ordered.length })
  return { png: new Uint8Array(png.buffer, png.byteOffset, png.length), layout }
}

export async function exportContactStrip(
  input: ContactStripInput,
  path: string,
  options: ContactStripOptions = {},
  control: TaskControl = {},
): Promise<{ path: string; bytes: number; layout: ContactStripLayout }> {
  const { png, layout } = await renderContactStrip(input, options, control)
  throwIfCancelled(control.signal)
  await writeFileAtomic(path, png)
  return { path, bytes: png.length, layout }
}
