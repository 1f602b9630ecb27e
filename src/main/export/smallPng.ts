/**
 * PNG encoding for the small pictures the UI asks for one at a time (64–128 px thumbnails and decoded
 * faces). A sharp pipeline's per-call set-up dominates at that size; for a few thousand pixels zlib
 * plus the chunk framing below costs far less.
 */
import { crc32, deflateSync } from 'node:zlib'

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const COLOUR_TYPE = { 3: 2, 4: 6 } as const

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/**
 * 8-bit RGB (3 channels) or RGBA (4) pixels, row-major, as a PNG. Rows use the Sub filter, which
 * suits smooth photographs; zlib level 3 keeps encoding well under a millisecond.
 */
export function encodeSmallPng(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: 3 | 4,
): Buffer {
  const stride = width * channels
  if (pixels.length !== stride * height) {
    throw new Error(`png: ${pixels.length} bytes is not ${width}×${height}×${channels}`)
  }
  const filtered = Buffer.alloc((stride + 1) * height)
  for (let y = 0; y < height; y++) {
    const src = y * stride
    const dst = y * (stride + 1)
    filtered[dst] = 1
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? (pixels[src + x - channels] as number) : 0
      filtered[dst + 1 + x] = ((pixels[src + x] as number) - left) & 0xff
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8
  header[9] = COLOUR_TYPE[channels]
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filtered, { level: 3 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}
