/**
 * Training-engine speed: per backend, training images/s at 64×64 and 128×128 (batch 32, the presets'
 * layers with latent 200 at both sizes), latency of decoding one face, and encode images/s (batch 64).
 * `npm run bench:train -- --json`: the last stdout line is one JSON object (figures for the best
 * backend, wall clock; `cpuTime` holds the same from CPU time). `--cpu` also benches the cpu backend (one step; it is ~100× slower than wasm).
 */
import { loadavg } from 'node:os'
import { pickBackend, type BackendName } from '../src/main/engine/backend/picker'
import { syntheticShapes } from '../src/main/engine/data/trainingData'
import { PRESETS, trainConfig } from '../src/main/engine/model/config'
import { Trainer } from '../src/main/engine/train/trainer'

const args = new Set(process.argv.slice(2))
const json = args.has('--json')
const log = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n')

interface Rate {
  wall: number
  cpu: number
}

interface Figures {
  train64: number
  train128: number
  decode64Ms: number
  decode128Ms: number
  encode64: number
}

/** Wall and CPU seconds of `f`: on shared cores the CPU time shows the work without the queueing. */
function timed(f: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  f()
  const wall = (performance.now() - t0) / 1000
  const c = process.cpuUsage(c0)
  return { wall, cpu: (c.user + c.system) / 1e6 }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

function trainRate(size: 64 | 128, warm: number, steps: number): Rate {
  const preset = size === 64 ? PRESETS['classic-64'] : PRESETS['classic-128']
  const t = Trainer.init(trainConfig({ ...preset, latentDim: 200 }, { batchSize: 32, seed: 1 }))
  const batch = syntheticShapes(32, size, 3)
  for (let i = 0; i < warm; i++) t.trainStep(batch)
  const s = timed(() => {
    for (let i = 0; i < steps; i++) t.trainStep(batch)
  })
  t.dispose()
  return { wall: (32 * steps) / s.wall, cpu: (32 * steps) / s.cpu }
}

function decodeMs(size: 64 | 128, trials: number): Rate {
  const preset = size === 64 ? PRESETS['classic-64'] : PRESETS['classic-128']
  const t = Trainer.init(trainConfig({ ...preset, latentDim: 200 }, { seed: 1 }))
  const z = new Float32Array(200).map((_, i) => Math.sin(i))
  for (let i = 0; i < 5; i++) t.decode(z)
  const wall: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < trials; i++) {
    const s = timed(() => t.decode(z))
    wall.push(s.wall * 1000)
    cpu.push(s.cpu * 1000)
  }
  t.dispose()
  return { wall: median(wall), cpu: median(cpu) }
}

function encodeRate(batches: number): Rate {
  const t = Trainer.init(trainConfig({ ...PRESETS['classic-64'], latentDim: 200 }, { seed: 1 }))
  const images = syntheticShapes(64, 64, 4)
  t.encode(images)
  const s = timed(() => {
    for (let i = 0; i < batches; i++) t.encode(images)
  })
  t.dispose()
  return { wall: (64 * batches) / s.wall, cpu: (64 * batches) / s.cpu }
}

async function bench(name: BackendName, quick: boolean): Promise<{ wall: Figures; cpu: Figures }> {
  const r = {
    train64: trainRate(64, quick ? 0 : 2, quick ? 1 : 6),
    train128: trainRate(128, quick ? 0 : 1, quick ? 1 : 3),
    decode64Ms: decodeMs(64, quick ? 3 : 50),
    decode128Ms: decodeMs(128, quick ? 3 : 30),
    encode64: encodeRate(quick ? 1 : 5),
  }
  const pick = (k: 'wall' | 'cpu'): Figures => ({
    train64: r.train64[k],
    train128: r.train128[k],
    decode64Ms: r.decode64Ms[k],
    decode128Ms: r.decode128Ms[k],
    encode64: r.encode64[k],
  })
  const line = (label: string, f: Figures) =>
    log(
      `${name.padEnd(6)} ${label} train64 ${f.train64.toFixed(1)} img/s  train128 ` +
        `${f.train128.toFixed(1)} img/s  decode64 ${f.decode64Ms.toFixed(2)} ms  decode128 ` +
        `${f.decode128Ms.toFixed(2)} ms  encode64 ${f.encode64.toFixed(0)} img/s`,
    )
  line('wall', pick('wall'))
  line('cpu ', pick('cpu'))
  return { wall: pick('wall'), cpu: pick('cpu') }
}

async function main(): Promise<void> {
  const load = loadavg()[0] as number
  log(`load average ${load.toFixed(2)} (the machine's cores are shared; figures vary with load)`)
  const best = await pickBackend('auto')
  for (const s of best.skipped) log(`skipped ${s.name}: ${s.reason}`)
  const figures = await bench(best.backend, false)
  const others: Record<string, { wall: Figures; cpu: Figures } | string> = {}
  if (best.backend !== 'cpu') {
    if (args.has('--cpu')) {
      await pickBackend('cpu')
      others.cpu = await bench('cpu', true)
    } else {
      others.cpu = 'skipped: ~100x slower than wasm; pass --cpu to bench it at one step'
      log(`cpu      ${others.cpu}`)
    }
  }
  if (json) {
    process.stdout.write(
      JSON.stringify({
        backend: best.backend,
        ...figures.wall,
        /** The same figures from process CPU time rather than wall time. */
        cpuTime: figures.cpu,
        skipped: best.skipped,
        others,
        loadAverage: load,
      }) + '\n',
    )
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:train failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
