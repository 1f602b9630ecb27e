/**
 * Export speed and fidelity: a 60-frame 256×256 GIF from 64×64 frames (blends between real CelebA
 * photos from ../shared/celeba-sample), decoded back with omggif and compared with the upscaled
 * source frames. Usage: npm run bench:export [-- --json] [--frames N] [--size S]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readFile } from 'node:fs/promises'
import omggif from 'omggif'
import sharp from 'sharp'
import { exportGif, exportWebp, estimateExportSize } from '../src/main/export/animation'
import { renderFrames, type FrameSet } from '../src/main/export/frames'
import { psnrRgbaVsRgb } from '../src/main/export/quality'
import { arg, json } from './lib/benchCli'

const frameCount = arg('--frames', 60)
const size = arg('--size', 256)
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const photos = join(root, '..', 'shared', 'celeba-sample', 'img_align_celeba')

async function faceFrames(count: number): Promise<FrameSet> {
  const faces = await Promise.all(
    ['000001.jpg', '000002.jpg', '000003.jpg', '000004.jpg'].map(async (f) => {
      const buf = await sharp(join(photos, f)).resize(64, 64).removeAlpha().raw().toBuffer()
      return new Uint8Array(buf)
    }),
  )
  const frames: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const s = (i / Math.max(1, count - 1)) * (faces.length - 1)
    const a = Math.min(faces.length - 2, Math.floor(s))
    const u = s - a
    const A = faces[a] as Uint8Array
    const B = faces[a + 1] as Uint8Array
    frames.push(Uint8Array.from(A, (v, k) => Math.round(v * (1 - u) + (B[k] as number) * u)))
  }
  return { width: 64, height: 64, channels: 3, frames }
}

const set = await faceFrames(frameCount)
const dir = mkdtempSync(join(tmpdir(), 'bench-export-'))
try {
  const gifPath = join(dir, 'morph.gif')
  const estimate = await estimateExportSize(set, 'gif', { size })
  const t0 = performance.now()
  const result = await exportGif(set, gifPath, { size, delaysCs: 8, loop: 0 })
  const seconds = (performance.now() - t0) / 1000
  const t1 = performance.now()
  const webp = await exportWebp(set, join(dir, 'morph.webp'), { size, delaysCs: 8 })
  const webpSeconds = (performance.now() - t1) / 1000

  const reference = await renderFrames(set, { size })
  const reader = new omggif.GifReader(new Uint8Array(await readFile(gifPath)))
  const pixels = new Uint8Array(reader.width * reader.height * 4)
  let minPsnr = Infinity
  let sumPsnr = 0
  let localPalettes = 0
  for (let i = 0; i < reader.numFrames(); i++) {
    if (reader.frameInfo(i).has_local_palette) localPalettes++
    reader.decodeAndBlitFrameRGBA(i, pixels)
    const p = psnrRgbaVsRgb(pixels, reference.frames[i] as Uint8Array)
    minPsnr = Math.min(minPsnr, p)
    sumPsnr += p
  }
  const report = {
    frames: reader.numFrames(),
    size: `${reader.width}x${reader.height}`,
    gifSeconds: Number(seconds.toFixed(3)),
    gifBytes: result.bytes,
    estimatedGifBytes: estimate.bytes,
    minPsnrDb: Number(minPsnr.toFixed(2)),
    meanPsnrDb: Number((sumPsnr / reader.numFrames()).toFixed(2)),
    localPalettes,
    webpSeconds: Number(webpSeconds.toFixed(3)),
    webpBytes: webp.bytes,
  }
  process.stdout.write(
    `GIF ${report.frames} frames ${report.size}: ${report.gifSeconds} s, ${report.gifBytes} bytes ` +
      `(estimated ${report.estimatedGifBytes}), PSNR min ${report.minPsnrDb} dB mean ${report.meanPsnrDb} dB, ` +
      `local palettes ${report.localPalettes}\nWebP: ${report.webpSeconds} s, ${report.webpBytes} bytes\n`,
  )
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
