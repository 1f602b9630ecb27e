/**
 * Morph export speed and fidelity: a 60-frame 256×256 GIF decoded from a 64×64 model (a freshly
 * initialised classic-64 decoder by default: speed does not depend on training; `--project DIR` uses
 * that project's newest trained run instead), read back with omggif and compared with the decoded
 * frames upscaled the same way. Also times scrubbing (morph.frame's decode + PNG).
 * Usage: npm run bench:morph [-- --json] [--frames N] [--size S] [--project DIR]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import omggif from 'omggif'
import { pickBackend, trainConfig, VaeModel } from '../src/main/engine'
import { psnrRgbaVsRgb, renderFrames } from '../src/main/export'
import { openProjectFolder } from '../src/main/store/projectFolder'
import { inProcessFaceModel, type FaceModel } from '../src/main/studio/faceModel'
import { decodeFaces } from '../src/main/studio/morph/decodeFaces'
import { sampleLatent } from '../src/shared/latent'
import { planFrames } from '../src/main/studio/morph/framePlan'
import { estimateMorph, exportMorph } from '../src/main/studio/morph/morphExport'
import { morphFramePng } from '../src/main/studio/morph/preview'
import { uniformTimeline } from '../src/main/studio/morph/simpleTimeline'
import { loadRunModel } from '../src/main/studio/runModel'

const args = process.argv.slice(2)
const json = args.includes('--json')
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const frameCount = Number(arg('--frames') ?? 60)
const size = Number(arg('--size') ?? 256)
const project = arg('--project')
const log = (line: string): void => void (json ? process.stderr : process.stdout).write(`${line}\n`)

async function benchModel(): Promise<{ model: FaceModel; dispose: () => void; label: string }> {
  if (project) {
    const { db, paths } = openProjectFolder(project)
    const run = await loadRunModel(db, paths)
    return {
      model: inProcessFaceModel(run),
      dispose: () => {
        void run.dispose()
        db.close()
      },
      label: `run ${run.run.id} of ${project}`,
    }
  }
  const backend = await pickBackend('auto')
  const c = trainConfig('classic-64')
  const vae = VaeModel.init(c.model, c.seed)
  const model: FaceModel = {
    runId: 0,
    step: 0,
    size: vae.config.size,
    latentDim: vae.config.latentDim,
    backend: backend.backend,
    encode: async (images) => vae.encode(images),
    decode: async (latents) => vae.decode(latents),
  }
  return { model, dispose: () => vae.dispose(), label: 'untrained classic-64' }
}

const { model, dispose, label } = await benchModel()
const dir = mkdtempSync(join(tmpdir(), 'bench-morph-'))
try {
  const timeline = uniformTimeline(
    [1, 2].map((seed) => ({ latent: sampleLatent(model.latentDim, seed) })),
    {
      frames: frameCount - 1,
      interpolation: 'slerp',
      easing: 'ease-in-out',
      hold: 0,
      loop: 'once',
      fps: 25,
    },
  )
  // Warm-up: the first decode compiles kernels and allocates.
  await model.decode(sampleLatent(model.latentDim, 3))
  const options = { timeline, format: 'gif' as const, size, loop: 0 }
  const estimate = await estimateMorph(model, options)
  const path = join(dir, 'morph.gif')
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await exportMorph(model, { ...options, path })
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(c0)
  // sharp's threads count here too: on shared cores CPU time shows the work without the queueing.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6

  const plan = planFrames(timeline, 'gif')
  const faces = await decodeFaces(model, plan.latents)
  const reference = await renderFrames(
    { width: model.size, height: model.size, channels: 3, frames: faces },
    { size },
  )
  const reader = new omggif.GifReader(new Uint8Array(readFileSync(path)))
  const pixels = new Uint8Array(reader.width * reader.height * 4)
  let minPsnr = Infinity
  for (let i = 0; i < reader.numFrames(); i++) {
    reader.decodeAndBlitFrameRGBA(i, pixels)
    const ref = reference.frames[plan.frames[i] as number] as Uint8Array
    minPsnr = Math.min(minPsnr, psnrRgbaVsRgb(pixels, ref))
  }

  const scrubs = 40
  const t1 = performance.now()
  for (let i = 0; i < scrubs; i++)
    await morphFramePng(model, timeline, (i * (frameCount - 1)) / scrubs)
  const frameMs = (performance.now() - t1) / scrubs

  const report = {
    model: label,
    backend: model.backend,
    frames: reader.numFrames(),
    size: `${reader.width}x${reader.height}`,
    seconds: Number(seconds.toFixed(3)),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    bytes: result.bytes,
    estimatedBytes: estimate.bytes,
    minPsnrDb: Number(minPsnr.toFixed(2)),
    frameMs: Number(frameMs.toFixed(2)),
    scrubFps: Number((1000 / frameMs).toFixed(1)),
    load1: Number((loadavg()[0] ?? 0).toFixed(2)),
  }
  log(
    `${label} on ${report.backend}: GIF ${report.frames} frames ${report.size} in ${report.seconds} s (CPU ${report.cpuSeconds} s), ` +
      `${report.bytes} bytes (estimated ${report.estimatedBytes}), min PSNR ${report.minPsnrDb} dB; ` +
      `scrub frame ${report.frameMs} ms (${report.scrubFps} fps); load ${report.load1}`,
  )
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`)
} finally {
  rmSync(dir, { recursive: true, force: true })
  dispose()
}
