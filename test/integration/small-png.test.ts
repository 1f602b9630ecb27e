import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { encodeSmallPng } from '../../src/main/export/smallPng'
import { seededRandom } from '../support/rng'

function randomPixels(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  const random = seededRandom(seed)
  for (let i = 0; i < n; i++) {
    // Smooth-ish rows with noise, like a face, so both filtering and compression are exercised.
    out[i] = ((i % 97) * 2 + Math.floor(random() * 16)) & 0xff
  }
  return out
}

describe('small PNG encoder', () => {
  for (const [width, height, channels] of [
    [64, 64, 3],
    [128, 96, 4],
    [1, 1, 3],
    [7, 3, 4],
  ] as const) {
    it(`round-trips ${width}×${height}×${channels} through sharp's decoder`, async () => {
      const pixels = randomPixels(width * height * channels, width * 31 + channels)
      const png = encodeSmallPng(pixels, width, height, channels)
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
      expect([info.width, info.height, info.channels]).toEqual([width, height, channels])
      expect(Buffer.from(pixels).equals(data)).toBe(true)
    })
  }

  it('names the mismatch when the buffer is not width×height×channels', () => {
    expect(() => encodeSmallPng(new Uint8Array(10), 2, 2, 3)).toThrow(/10 bytes is not 2×2×3/)
  })
})
