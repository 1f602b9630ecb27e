import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { JpegWasmDecoder } from '../../src/main/dataset/jpegWasmDecoder'
import { celebaSampleDir, sharedDataAvailable } from '../support/sharedData'

const available = sharedDataAvailable()
const imagesDir = join(celebaSampleDir, 'img_align_celeba')

describe.runIf(available)('the wasm JPEG fast path', () => {
  it('gives byte-identical pixels to sharp on every real CelebA photo', async () => {
    const decoder = await JpegWasmDecoder.create()
    const files = readdirSync(imagesDir).filter((f) => f.endsWith('.jpg'))
    expect(files.length).toBeGreaterThan(10)
    for (const file of files) {
      const jpeg = readFileSync(join(imagesDir, file))
      const fast = decoder.decode(jpeg)
      const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true })
      expect(fast, file).not.toBeNull()
      if (!fast) continue
      expect([fast.width, fast.height]).toEqual([info.width, info.height])
      const rgb = new Uint8Array(info.width * info.height * 3)
      for (let p = 0, q = 0; q < fast.data.length; q += 4) {
        rgb[p++] = fast.data[q] as number
        rgb[p++] = fast.data[q + 1] as number
        rgb[p++] = fast.data[q + 2] as number
      }
      expect(Buffer.from(rgb).equals(data), file).toBe(true)
    }
  })

  it('declines truncated, corrupt and non-JPEG bytes, then keeps decoding good ones', async () => {
    const decoder = await JpegWasmDecoder.create()
    const jpeg = readFileSync(join(imagesDir, '000001.jpg'))
    const corrupt = Buffer.from(jpeg)
    corrupt.fill(0, 600, corrupt.length - 2)
    const flipped = Buffer.from(jpeg)
    for (let i = 1000; i < 1100; i++) flipped[i] = (flipped[i] as number) ^ 0x55
    const bad = {
      truncated: jpeg.subarray(0, Math.floor(jpeg.length / 2)),
      corrupt,
      flipped,
      text: Buffer.from('plain text named .jpg'),
      headerOnly: jpeg.subarray(0, 300),
    }
    for (const [name, bytes] of Object.entries(bad)) {
      expect(decoder.decode(bytes), name).toBeNull()
      // A fatal error replaces the exited program asynchronously.
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(decoder.decode(jpeg)?.width).toBe(178)
  })
})
