import { describe, expect, it } from 'vitest'
import { cropBox, cropKey, datasetDefaultCrop } from '../../src/main/dataset/crop'
import { headerDimensions } from '../../src/main/dataset/imageHeader'
import { jpegOrientation } from '../../src/main/dataset/jpegOrientation'
import { cropResize } from '../../src/main/dataset/resample'

describe('cropBox', () => {
  it('takes the centred 148×148 of a 178×218 CelebA photo', () => {
    expect(cropBox({ kind: 'celeba' }, 178, 218)).toEqual({ left: 15, top: 35, side: 148 })
  })
  it('takes the centred square of the shorter side for other sizes', () => {
    expect(cropBox({ kind: 'celeba' }, 300, 200)).toEqual({ left: 50, top: 0, side: 200 })
    expect(cropBox({ kind: 'center', fraction: 0.5 }, 100, 120)).toEqual({
      left: 25,
      top: 35,
      side: 50,
    })
  })
  it("scales CelebA's crop with the image in a CelebA-layout dataset, centred exactly", () => {
    const scaled = datasetDefaultCrop('celeba')
    expect(datasetDefaultCrop('celeba-kaggle')).toEqual(scaled)
    expect(cropKey(scaled)).toBe('celeba')
    expect(cropBox(scaled, 178, 218)).toEqual({ left: 15, top: 35, side: 148 })
    // Half size: 74 would leave 7.5 px margins; 75 keeps the square on the photo's centre.
    expect(cropBox(scaled, 89, 109)).toEqual({ left: 7, top: 17, side: 75 })
    expect(cropBox(scaled, 356, 436)).toEqual({ left: 30, top: 70, side: 296 })
    // Never larger than the shorter side.
    expect(cropBox(scaled, 300, 200)).toEqual({ left: 50, top: 0, side: 200 })
  })
  it("keeps any other folder of faces on the shorter side's square", () => {
    expect(datasetDefaultCrop('folder')).toEqual({ kind: 'celeba' })
    expect(cropBox(datasetDefaultCrop('folder'), 89, 109)).toEqual({ left: 0, top: 10, side: 89 })
  })
  it('refuses a fixed box that does not fit', () => {
    expect(cropBox({ kind: 'box', left: 10, top: 10, side: 100 }, 100, 100)).toMatch(/does not fit/)
    expect(cropKey({ kind: 'box', left: 1, top: 2, side: 3 })).toBe('box-1-2-3')
  })
})

describe('cropResize', () => {
  it('averages 2×2 blocks when halving and crops the right region', () => {
    // 4×4 RGB: the value of each pixel is 10·y + x in every channel.
    const src = new Uint8Array(4 * 4 * 3)
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) src.fill(10 * y + x, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3)
    const out = new Uint8Array(2 * 2 * 3)
    cropResize(src, 4, 3, { left: 0, top: 0, side: 4 }, 2, out)
    expect([...out.filter((_, i) => i % 3 === 0)]).toEqual([6, 8, 26, 28]) // (0+1+10+11)/4 = 5.5 → 6
    const one = new Uint8Array(3)
    cropResize(src, 4, 3, { left: 2, top: 1, side: 1 }, 1, one)
    expect([...one]).toEqual([12, 12, 12])
  })

  it('spreads grey to RGB and drops alpha', () => {
    const grey = new Uint8Array([10, 20, 30, 40])
    const out = new Uint8Array(2 * 2 * 3)
    cropResize(grey, 2, 1, { left: 0, top: 0, side: 2 }, 2, out)
    expect([...out]).toEqual([10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40])
    const rgba = new Uint8Array([1, 2, 3, 255])
    const px = new Uint8Array(3)
    cropResize(rgba, 1, 4, { left: 0, top: 0, side: 1 }, 1, px)
    expect([...px]).toEqual([1, 2, 3])
  })

  it('upscales bilinearly between neighbours', () => {
    // 2×2 grey: 0 on the left, 100 on the right → 4×4
    const src = new Uint8Array([0, 100, 0, 100])
    const out = new Uint8Array(4 * 4 * 3)
    cropResize(src, 2, 1, { left: 0, top: 0, side: 2 }, 4, out)
    const firstRow = [0, 1, 2, 3].map((x) => out[x * 3])
    expect(firstRow).toEqual([0, 25, 75, 100])
  })
})

describe('headerDimensions', () => {
  it('reads PNG and JPEG sizes and gives up on other bytes', () => {
    const png = new Uint8Array(24)
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    new DataView(png.buffer).setUint32(16, 640)
    new DataView(png.buffer).setUint32(20, 480)
    expect(headerDimensions(png)).toEqual({ width: 640, height: 480 })
    // SOI, APP0 (length 4), SOF0 with height 218 and width 178
    const jpeg = new Uint8Array([
      0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, 0, 218, 0, 178, 3,
    ])
    expect(headerDimensions(jpeg)).toEqual({ width: 178, height: 218 })
    expect(headerDimensions(new TextEncoder().encode('hello, not an image'))).toBeNull()
  })
})

describe('jpegOrientation', () => {
  /** SOI, an APP1 Exif segment holding `tiff`, then the start of a scan. */
  function jpegWithExif(tiff: number[]): Uint8Array {
    const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]
    const length = payload.length + 2
    return new Uint8Array([
      0xff,
      0xd8,
      0xff,
      0xe1,
      length >> 8,
      length & 0xff,
      ...payload,
      0xff,
      0xda,
    ])
  }
  // IFD0 at offset 8 with one SHORT entry: tag 0x0112 = 6 (rotate 90°).
  const bigEndian = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]
  const littleEndian = [
    0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0,
  ]

  it('reads the orientation tag in either byte order', () => {
    expect(jpegOrientation(jpegWithExif(bigEndian))).toBe(6)
    expect(jpegOrientation(jpegWithExif(littleEndian))).toBe(6)
  })

  it('calls a JPEG without the tag, or without EXIF, upright', () => {
    // CelebA's files carry an empty IFD0 like this one.
    expect(jpegOrientation(jpegWithExif([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 0]))).toBe(1)
    expect(jpegOrientation(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xda]))).toBe(
      1,
    )
  })

  it('gives up (null) on truncated or unexpected bytes', () => {
    expect(jpegOrientation(jpegWithExif(bigEndian).subarray(0, 20))).toBeNull()
    expect(jpegOrientation(jpegWithExif(bigEndian.slice(0, 12)))).toBeNull()
    expect(jpegOrientation(new TextEncoder().encode('hello, not an image'))).toBeNull()
  })
})
