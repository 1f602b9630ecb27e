import sharp from 'sharp'

/** Copies RGBA or RGB faces of size×size into an RGB grid buffer, row by row. */
export function tileFaces(
  faces: Uint8Array | Uint8ClampedArray,
  channels: 3 | 4,
  size: number,
  columns: number,
  grid: Uint8Array,
  gridWidth: number,
  rowOffset = 0,
): void {
  const count = faces.length / (size * size * channels)
  for (let i = 0; i < count; i++) {
    const gx = (i % columns) * size
    const gy = Math.floor(i / columns) * size + rowOffset
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const source = (i * size * size + y * size + x) * channels
        const target = ((gy + y) * gridWidth + gx + x) * 3
        grid[target] = faces[source] as number
        grid[target + 1] = faces[source + 1] as number
        grid[target + 2] = faces[source + 2] as number
      }
    }
  }
}

/** An RGB grid as a PNG, upscaled `scale` times with Lanczos. */
function scaledRgbPng(
  grid: Uint8Array,
  width: number,
  height: number,
  scale: number,
  png: { compressionLevel?: number } = {},
): Promise<Buffer> {
  return sharp(grid, { raw: { width, height, channels: 3 } })
    .resize(width * scale, height * scale, { kernel: 'lanczos3' })
    .png(png)
    .toBuffer()
}

/** A PNG of faces in a grid (e.g. 16 samples in 4 columns), optionally upscaled for viewing. */
export async function faceGridPng(
  faces: Uint8ClampedArray,
  size: number,
  columns: number,
  scale = 1,
): Promise<Buffer> {
  const count = faces.length / (size * size * 4)
  const rows = Math.ceil(count / columns)
  const width = columns * size
  const grid = new Uint8Array(width * rows * size * 3)
  tileFaces(faces, 4, size, columns, grid, width)
  return scaledRgbPng(grid, width, rows * size, scale)
}

/** Originals (RGB) in the top row, their reconstructions (RGBA) below: the seed's figure. */
export async function comparisonPng(
  originalsRgb: Uint8Array,
  reconstructionsRgba: Uint8ClampedArray,
  size: number,
  scale = 1,
): Promise<Buffer> {
  const count = originalsRgb.length / (size * size * 3)
  const width = count * size
  const grid = new Uint8Array(width * size * 2 * 3)
  tileFaces(originalsRgb, 3, size, count, grid, width)
  tileFaces(reconstructionsRgba, 4, size, count, grid, width, size)
  return scaledRgbPng(grid, width, size * 2, scale, { compressionLevel: 3 })
}

/** A PNG as a data URL: small faces travel inline on every transport. */
export function pngDataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`
}
