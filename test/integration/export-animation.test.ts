import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import omggif from 'omggif'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  estimateExportSize,
  exportContactStrip,
  exportGif,
  exportPngSequence,
  exportWebp,
  contactStripLayout,
  psnrRgbaVsRgb,
  renderFrames,
  type FrameSet,
} from '../../src/main/export'
import { parseTimeline, scheduleDelays } from '../../src/shared/latent'
import { CancelledError } from '../../src/shared/progress'
import { celebaSampleDir, sharedDataAvailable } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

const haveData = sharedDataAvailable()

async function face(file: string): Promise<Uint8Array> {
  const buf = await sharp(join(celebaSampleDir, 'img_align_celeba', file))
    .resize(64, 64)
    .removeAlpha()
    .raw()
    .toBuffer()
  return new Uint8Array(buf)
}

function blend(a: Uint8Array, b: Uint8Array, u: number): Uint8Array {
  return Uint8Array.from(a, (v, k) => Math.round(v * (1 - u) + b[k]! * u))
}

/** Every pixel of every frame, as a decoder that honours "leave in place" disposal shows it. */
function decodeAll(bytes: Uint8Array) {
  const reader = new omggif.GifReader(bytes)
  const pixels = new Uint8Array(reader.width * reader.height * 4)
  const frames: Uint8Array[] = []
  for (let i = 0; i < reader.numFrames(); i++) {
    reader.decodeAndBlitFrameRGBA(i, pixels)
    frames.push(pixels.slice())
  }
  return { reader, frames }
}

describe.skipIf(!haveData)('animation export', () => {
  let temp: { dir: string; cleanup: () => void }
  let set: FrameSet
  let faces: Uint8Array[]

  beforeAll(async () => {
    temp = makeTempDir('face-studio-export-')
    faces = await Promise.all(['000001.jpg', '000002.jpg', '000003.jpg'].map(face))
    const frames: Uint8Array[] = []
    for (let i = 0; i < 24; i++) {
      const s = (i / 23) * 2
      const a = Math.min(1, Math.floor(s))
      frames.push(blend(faces[a]!, faces[a + 1]!, s - a))
    }
    set = { width: 64, height: 64, channels: 3, frames }
  })
  afterAll(() => temp.cleanup())

  it('writes a GIF with one global palette, the delays, the loop count and ≥ 35 dB frames', async () => {
    const path = join(temp.dir, 'morph.gif')
    const delays = set.frames.map((_, i) => (i === 0 ? 50 : 8))
    const phases = new Set<string>()
    const result = await exportGif(
      set,
      path,
      { size: 192, delaysCs: delays, loop: 3 },
      {
        onProgress: (u) => phases.add(u.phase),
      },
    )
    const bytes = new Uint8Array(readFileSync(path))
    expect(result.bytes).toBe(bytes.length)
    const { reader, frames } = decodeAll(bytes)
    expect(reader.width).toBe(192)
    expect(reader.height).toBe(192)
    expect(reader.numFrames()).toBe(24)
    // 3 plays = NETSCAPE count 2 (repeats after the first).
    expect(reader.loopCount()).toBe(2)
    const reference = await renderFrames(set, { size: 192 })
    for (let i = 0; i < frames.length; i++) {
      const info = reader.frameInfo(i)
      expect(info.has_local_palette).toBe(false)
      expect(info.delay).toBe(delays[i])
      expect(psnrRgbaVsRgb(frames[i]!, reference.frames[i]!)).toBeGreaterThanOrEqual(35)
    }
    expect(phases).toEqual(new Set(['resize', 'palette', 'encode']))
  })

  it('loops forever with loop 0 and plays once without a NETSCAPE block', async () => {
    const short: FrameSet = { ...set, frames: set.frames.slice(0, 3) }
    await exportGif(short, join(temp.dir, 'forever.gif'), { size: 64, delaysCs: 5, loop: 0 })
    await exportGif(short, join(temp.dir, 'once.gif'), { size: 64, delaysCs: 5, loop: 1 })
    expect(new omggif.GifReader(readFileSync(join(temp.dir, 'forever.gif'))).loopCount()).toBe(0)
    expect(new omggif.GifReader(readFileSync(join(temp.dir, 'once.gif'))).loopCount()).toBeNull()
  })

  it('shows a ping-pong timeline in order, holds as longer delays', async () => {
    const tl = parseTimeline({
      keyframes: [{ latent: [0], hold: 3 }, { latent: [1] }],
      segments: [{ frames: 4, interpolation: 'lerp' }],
      loop: 'ping-pong',
      fps: 10,
    })
    const timed = scheduleDelays(tl)
    // Frames rendered from the schedule: the face blend at the frame's t.
    const frames = timed.map((f) => blend(faces[0]!, faces[1]!, f.t))
    const path = join(temp.dir, 'pingpong.gif')
    await exportGif({ ...set, frames }, path, { size: 64, delaysCs: timed.map((f) => f.delayCs) })
    const { reader, frames: decoded } = decodeAll(new Uint8Array(readFileSync(path)))
    expect(reader.numFrames()).toBe(8) // 0 ¼ ½ ¾ 1 ¾ ½ ¼
    expect(reader.frameInfo(0).delay).toBe(40)
    // Decoded frame k is closest to the source frame k, so the order survived.
    const reference = await renderFrames({ ...set, frames }, { size: 64 })
    const unique = [0, 1, 2, 3, 4]
    for (const k of unique) {
      const scores = unique.map((j) => psnrRgbaVsRgb(decoded[k]!, reference.frames[j]!))
      expect(scores.indexOf(Math.max(...scores))).toBe(k)
    }
    for (const [k, mirror] of [
      [5, 3],
      [6, 2],
      [7, 1],
    ] as const) {
      // The way back shows the same pictures as the way there, so the decoded pixels are identical.
      expect(Buffer.compare(decoded[k]!, decoded[mirror]!)).toBe(0)
    }
  })

  it('writes an animated WebP with every frame', async () => {
    const path = join(temp.dir, 'morph.webp')
    await exportWebp(set, path, { size: 128, delaysCs: 8, loop: 0 })
    const meta = await sharp(path, { pages: -1 }).metadata()
    expect(meta.format).toBe('webp')
    expect(meta.pages).toBe(24)
    expect(meta.width).toBe(128)
    expect(meta.delay).toEqual(new Array(24).fill(80))
  })

  it('writes a PNG sequence folder, complete', async () => {
    const folder = join(temp.dir, 'frames')
    const r = await exportPngSequence(set, folder, { size: 96 })
    const files = readdirSync(folder).sort()
    expect(files).toHaveLength(24)
    expect(files[0]).toBe('frame-0001.png')
    expect(r.files).toEqual(files)
    const meta = await sharp(join(folder, files[5]!)).metadata()
    expect([meta.width, meta.height]).toEqual([96, 96])
    await expect(exportPngSequence(set, folder, { size: 96 })).rejects.toThrow(/already exists/)
    // Leftovers from the temporary folder would show up as dot-entries beside it.
    expect(readdirSync(temp.dir).filter((f) => f.startsWith('.frames'))).toEqual([])
  })

  it('writes the contact strip with originals at both ends and α captions', async () => {
    const path = join(temp.dir, 'strip.png')
    const alphas = [0.25, 0.5, 0.75]
    const input = {
      width: 64,
      height: 64,
      channels: 3 as const,
      originals: [faces[0]!, faces[1]!] as const,
      frames: alphas.map((a) => blend(faces[0]!, faces[1]!, a)),
      alphas,
    }
    const result = await exportContactStrip(input, path, { cell: 80, gap: 4, captionHeight: 20 })
    const meta = await sharp(path).metadata()
    expect(result.layout).toEqual(
      contactStripLayout(input, { cell: 80, gap: 4, captionHeight: 20 }),
    )
    expect(meta.width).toBe(5 * 80 + 6 * 4)
    expect(meta.height).toBe(80 + 20 + 8)
    // The caption band has dark text pixels under each cell.
    const { data, info } = await sharp(path)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
    for (let cell = 0; cell < 5; cell++) {
      let dark = 0
      for (let y = 88; y < info.height; y++) {
        for (let x = 4 + cell * 84; x < 4 + cell * 84 + 80; x++) {
          if (data[(y * info.width + x) * 3]! < 100) dark++
        }
      }
      expect(dark).toBeGreaterThan(10)
    }
  })

  it('a cancelled export leaves nothing behind', async () => {
    const ac = new AbortController()
    const path = join(temp.dir, 'cancelled.gif')
    const run = exportGif(
      set,
      path,
      { size: 128, delaysCs: 8 },
      {
        signal: ac.signal,
        onProgress: (u) => {
          if (u.phase === 'encode' && u.done >= 4) ac.abort()
        },
      },
    )
    await expect(run).rejects.toBeInstanceOf(CancelledError)
    const folder = join(temp.dir, 'cancelled-frames')
    const ac2 = new AbortController()
    const run2 = exportPngSequence(
      set,
      folder,
      { size: 64 },
      {
        signal: ac2.signal,
        onProgress: (u) => {
          if (u.done >= 5) ac2.abort()
        },
      },
    )
    await expect(run2).rejects.toBeInstanceOf(CancelledError)
    expect(existsSync(path)).toBe(false)
    expect(existsSync(folder)).toBe(false)
    expect(readdirSync(temp.dir).filter((f) => f.includes('cancelled'))).toEqual([])
  })

  it('a failed export leaves nothing behind and names the target', async () => {
    // A non-empty folder where the file should go: the final rename fails, for root too.
    const occupied = join(temp.dir, 'occupied.gif')
    mkdirSync(occupied)
    writeFileSync(join(occupied, 'keep.txt'), 'x')
    const before = readdirSync(temp.dir).sort()
    await expect(exportGif(set, occupied, { size: 64, delaysCs: 8 })).rejects.toThrow()
    expect(readdirSync(temp.dir).sort()).toEqual(before)
    expect(readdirSync(occupied)).toEqual(['keep.txt'])
    await expect(
      exportGif(set, join(temp.dir, 'missing', 'x.gif'), { size: 64, delaysCs: 8 }),
    ).rejects.toThrow(/missing.*does not exist/)
    await expect(
      exportWebp(set, join(temp.dir, 'bad.webp'), { size: 1000, delaysCs: 8 }),
    ).rejects.toThrow(/size 1000/)
    expect(existsSync(join(temp.dir, 'bad.webp'))).toBe(false)
  })

  it('estimates the size within a factor of 2', async () => {
    for (const format of ['gif', 'webp', 'png-sequence'] as const) {
      const estimate = await estimateExportSize(set, format, { size: 128 })
      let actual: number
      if (format === 'gif')
        actual = (await exportGif(set, join(temp.dir, 'e.gif'), { size: 128, delaysCs: 8 })).bytes
      else if (format === 'webp')
        actual = (await exportWebp(set, join(temp.dir, 'e.webp'), { size: 128, delaysCs: 8 })).bytes
      else actual = (await exportPngSequence(set, join(temp.dir, 'e-frames'), { size: 128 })).bytes
      expect(estimate.bytes / actual, format).toBeGreaterThan(0.5)
      expect(estimate.bytes / actual, format).toBeLessThan(2)
    }
  })
})
