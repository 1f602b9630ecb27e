/** Rasterising the plots and face rows with sharp (SVG via librsvg), and writing PNG files. */
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { checkReplaceable } from '../../export/outputGuard'
import sharp from 'sharp'
import { writeFileAtomic } from '../../export/atomic'
import { tileFaces } from '../../export/faceGrid'
import { captionRowSvg } from './plots'

export function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg, 'utf8')).png().toBuffer()
}

/**
 * RGBA faces of size×size side by side, enlarged to at least `minCell` pixels, with a caption under
 * each (e.g. the strength of an attribute edit, or a neighbour's distance).
 */
export async function captionedRowPng(
  facesRgba: Uint8ClampedArray,
  size: number,
  captions: readonly string[],
  minCell = 128,
): Promise<Buffer> {
  const count = facesRgba.length / (size * size * 4)
  if (captions.length !== count) throw new Error(`${count} faces but ${captions.length} captions`)
  const scale = Math.max(1, Math.ceil(minCell / size))
  const cell = size * scale
  const width = count * size
  const grid = new Uint8Array(width * size * 3)
  tileFaces(facesRgba, 4, size, count, grid, width)
  const row = await sharp(grid, { raw: { width, height: size, channels: 3 } })
    .resize(width * scale, cell, { kernel: 'lanczos3' })
    .png()
    .toBuffer()
  const captionHeight = Math.max(24, Math.round(cell / 5))
  const caption = Buffer.from(captionRowSvg(captions, cell, captionHeight), 'utf8')
  return sharp({
    create: {
      width: count * cell,
      height: cell + captionHeight,
      channels: 3,
      background: { r: 255, g: 255, b: 255 },
    },
  })
    .composite([
      { input: row, left: 0, top: 0 },
      { input: caption, left: 0, top: cell },
    ])
    .png()
    .toBuffer()
}

/**
 * Writes a PNG (creating its folder) and returns the absolute path; an existing file that is not a
 * PNG is replaced only with `force` (a database never).
 */
export async function writePng(
  file: string,
  png: Buffer,
  options: { force?: boolean } = {},
): Promise<string> {
  const path = resolve(file)
  checkReplaceable(path, 'png', options)
  mkdirSync(dirname(path), { recursive: true })
  await writeFileAtomic(path, png)
  return path
}
