/**
 * Training-engine speed: per backend, training images/s at 64×64 and 128×128 (batch 32, the presets'
 * layers with latent 200 at both sizes) with 1 and with N data-parallel replicas (N = the default
 * replica count, `--replicas N` to choose; both measured in alternating rounds in this invocation),
 * latency of decoding one face, and encode images/s (batch 64).
 * `npm run bench:train -- --json`: the last stdout line is one JSON object (figures for the best
 * backend, wall clock; `train64`/`train128` are the best replica count's, `trainByReplicas` holds
 * each; `cpuTime` holds the same from CPU time, all threads counted). `--cpu` also benches the cpu
 * backend (one step, one replica; it is ~100× slower than wasm). `--baseline` also measures one
 * thread with the forward convolutions and matrix products on XNNPACK's stock kernels
 * (FACE_STUDIO_FMA=0), alternating with the fused multiply-add ones, so both see the same load.
 * `--backend NAME` benches that backend alone, webgpu included (see lib/benchForced.ts, which also
 * reads `--batch B`, `--sizes 64,128` and `--steps N`), and prints the GPU adapter.
 */
import { loadavg } from 'node:os'
import {
  type BackendChoice,
  pickBackend,
  type BackendName,
} from '../src/main/engine/backend/picker'
import { syntheticShapes } from '../src/main/engine/data/trainingData'
import { PRESETS, trainConfig } from '../src/main/engine/model/config'
import { VaeModel } from '../src/main/engine/model/vaeModel'
import { ParallelEncoder } from '../src/main/engine/parallel/parallelEncoder'
import { ParallelTrainer, replicaCount } from '../src/main/engine/parallel/parallelTrainer'
import { Trainer } from '../src/main/engine/train/trainer'
import { benchForced } from './lib/benchForced'
import { calibrateHost, describeCalibration } from './lib/hostCalibration'

const argv = process.argv.slice(2)
const args = new Set(argv)
const replicasFlag = argv.indexOf('--replicas')
const requestedReplicas = replicasFlag >= 0 ? Number(argv[replicasFlag + 1]) : undefined
if (
  requestedReplicas !== undefined &&
  !(Number.isInteger(requestedReplicas) && requestedReplicas > 0)
) {
  process.stderr.write(`bench:train: --replicas needs a positive whole number\n`)
  process.exit(2)
}
const json = args.has('--json')

/** The value after `flag`, or undefined. */
function option(flag: string): string | undefined {
  const i = argv.indexOf(flag)
  return i >= 0 ? argv[i + 1] : undefined
}

function wholeOption(flag: string, fallback: number, max: number): number {
  const raw = option(flag)
  const n = raw === undefined ? fallback : Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > max) {
    process.stderr.write(`bench:train: ${flag} needs a whole number from 1 to ${max}\n`)
    process.exit(2)
  }
  return n
}
const baseline = args.has('--baseline')

/**
 * Runs f with the wasm matrix products and forward convolutions on XNNPACK's stock kernels
 * (FACE_STUDIO_FMA=0) when stock is set: `--baseline` measures both in alternating rounds. The
 * switch is read per call on this thread, so baselines are single-thread.
 */
function stockIf<T>(stock: boolean, f: () => T): T {
  if (!stock) return f()
  process.env.FACE_STUDIO_FMA = '0'
  try {
    return f()
  } finally {
    delete process.env.FACE_STUDIO_FMA
  }
}
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

/**
 * Training images/s at one size for each replica count. All configurations are built (workers
 * started, untimed) and warmed first, then measured in alternating rounds, so on a shared machine
 * each sees about the same load; the figure is the median round.
 */
async function trainRates(
  backend: BackendName,
  size: 64 | 128,
  counts: number[],
  rounds: number,
  stepsPerRound: number,
): Promise<{ byReplicas: Map<number, Rate>; baseline?: Rate }> {
  const preset = size === 64 ? PRESETS['classic-64'] : PRESETS['classic-128']
  const config = trainConfig({ ...preset, latentDim: 200 }, { batchSize: 32, seed: 1 })
  const batch = syntheticShapes(32, size, 3)
  const setups = counts.map((n) => ({ n, stock: false }))
  if (baseline) setups.push({ n: 1, stock: true })
  const runs = await Promise.all(
    setups.map(async ({ n, stock }) => {
      const local = Trainer.init(config)
      const t = n > 1 ? await ParallelTrainer.start(local, { replicas: n, backend }) : local
      return { n, stock, local, t, wall: [] as number[], cpu: [] as number[] }
    }),
  )
  // Warm-up: V8 first runs wasm in its baseline tier and swaps in optimised code as it runs.
  for (const r of runs)
    stockIf(r.stock, () => {
      for (let i = 0; i < 3; i++) r.t.trainStep(batch)
    })
  for (let round = 0; round < rounds; round++) {
    for (const r of runs) {
      const s = stockIf(r.stock, () =>
        timed(() => {
          for (let i = 0; i < stepsPerRound; i++) r.t.trainStep(batch)
        }),
      )
      r.wall.push((32 * stepsPerRound) / s.wall)
      r.cpu.push((32 * stepsPerRound) / s.cpu)
    }
  }
  const byReplicas = new Map<number, Rate>()
  let stockRate: Rate | undefined
  for (const r of runs) {
    if (r.t instanceof ParallelTrainer) await r.t.close()
    r.local.dispose()
    const rate = { wall: median(r.wall), cpu: median(r.cpu) }
    if (r.stock) stockRate = rate
    else byReplicas.set(r.n, rate)
  }
  return { byReplicas, baseline: stockRate }
}

/** Decode latency of one face; with `--baseline`, also on the stock kernels, trial by trial. */
function decodeMs(size: 64 | 128, trials: number): Rate & { stock?: Rate } {
  const preset = size === 64 ? PRESETS['classic-64'] : PRESETS['classic-128']
  const c = trainConfig({ ...preset, latentDim: 200 }, { seed: 1 })
  const t = VaeModel.init(c.model, c.seed)
  const z = new Float32Array(200).map((_, i) => Math.sin(i))
  const modes = baseline ? [false, true] : [false]
  for (const stock of modes)
    stockIf(stock, () => {
      for (let i = 0; i < 20; i++) t.decode(z)
    })
  const samples = modes.map(() => ({ wall: [] as number[], cpu: [] as number[] }))
  for (let i = 0; i < trials; i++) {
    modes.forEach((stock, k) => {
      const s = stockIf(stock, () => timed(() => t.decode(z)))
      samples[k]!.wall.push(s.wall * 1000)
      samples[k]!.cpu.push(s.cpu * 1000)
    })
  }
  t.dispose()
  const [fma, stock] = samples.map((x) => ({ wall: median(x.wall), cpu: median(x.cpu) }))
  return { ...fma!, stock }
}

/**
 * Encode images/s at batch 64 on `n` threads (replicas share each batch; see ParallelEncoder): the
 * median of several rounds after a warm-up.
 */
async function encodeRate(
  backend: BackendName,
  n: number,
  rounds: number,
  batchesPerRound: number,
): Promise<Rate & { stock?: Rate }> {
  const t = VaeModel.init({ ...PRESETS['classic-64'], latentDim: 200 }, 1)
  const images = syntheticShapes(64, 64, 4)
  const fail = (message: string) => {
    throw new Error(message)
  }
  const p = n > 1 ? new ParallelEncoder(t, backend, fail, n) : null
  const encode = async () => (p ? await p.encode(images) : t.encode(images))
  // A single-thread baseline alternates with the fused multiply-add rounds (see stockIf).
  const modes = baseline && !p ? [false, true] : [false]
  for (const stock of modes) {
    for (let i = 0; i < 4; i++) await stockIf(stock, encode)
  }
  const samples = modes.map(() => ({ wall: [] as number[], cpu: [] as number[] }))
  for (let round = 0; round < rounds; round++) {
    for (const [k, stock] of modes.entries()) {
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      for (let i = 0; i < batchesPerRound; i++) await stockIf(stock, encode)
      const c = process.cpuUsage(c0)
      samples[k]!.wall.push((64 * batchesPerRound) / ((performance.now() - t0) / 1000))
      samples[k]!.cpu.push((64 * batchesPerRound) / ((c.user + c.system) / 1e6))
    }
  }
  await p?.close()
  t.dispose()
  const [fma, stock] = samples.map((x) => ({ wall: median(x.wall), cpu: median(x.cpu) }))
  return { ...fma!, stock }
}

interface BenchResult {
  wall: Figures
  cpu: Figures
  /** Training images/s per replica count, e.g. { 1: {...}, 2: {...} }. */
  trainByReplicas: Record<number, { train64: Rate; train128: Rate }>
  replicas: number
  /** With `--baseline`: one thread on XNNPACK's stock kernels, measured alongside (wall clock). */
  baseline?: Figures
}

async function bench(name: BackendName, quick: boolean): Promise<BenchResult> {
  const counts = quick ? [1] : [...new Set([1, replicaCount(name, requestedReplicas)])]
  const byReplicas: BenchResult['trainByReplicas'] = {}
  const r64 = await trainRates(name, 64, counts, quick ? 1 : 5, quick ? 1 : 2)
  const r128 = await trainRates(name, 128, counts, quick ? 1 : 3, 1)
  for (const n of counts) {
    byReplicas[n] = {
      train64: r64.byReplicas.get(n) as Rate,
      train128: r128.byReplicas.get(n) as Rate,
    }
  }
  const best = counts.reduce((a, b) =>
    (byReplicas[b]?.train64.wall ?? 0) > (byReplicas[a]?.train64.wall ?? 0) ? b : a,
  )
  const chosen = byReplicas[best] as { train64: Rate; train128: Rate }
  const r = {
    train64: chosen.train64,
    train128: chosen.train128,
    decode64Ms: decodeMs(64, quick ? 3 : 50),
    decode128Ms: decodeMs(128, quick ? 3 : 30),
    encode64: { wall: 0, cpu: 0 },
  }
  let encodeStock: Rate | undefined
  let encodeOneThread = 0
  for (const n of counts) {
    const e = await encodeRate(name, n, quick ? 1 : 7, quick ? 1 : 4)
    encodeStock ??= e.stock
    if (n === 1) encodeOneThread = e.wall
    if (e.wall > r.encode64.wall) r.encode64 = e
    log(`${name.padEnd(6)} ${n} thread${n > 1 ? 's' : ' '} encode64 ${e.wall.toFixed(0)} img/s`)
  }
  const stock =
    r64.baseline && r128.baseline && r.decode64Ms.stock && r.decode128Ms.stock && encodeStock
      ? {
          train64: r64.baseline.wall,
          train128: r128.baseline.wall,
          decode64Ms: r.decode64Ms.stock.wall,
          decode128Ms: r.decode128Ms.stock.wall,
          encode64: encodeStock.wall,
        }
      : undefined
  const pick = (k: 'wall' | 'cpu'): Figures => ({
    train64: r.train64[k],
    train128: r.train128[k],
    decode64Ms: r.decode64Ms[k],
    decode128Ms: r.decode128Ms[k],
    encode64: r.encode64[k],
  })
  for (const n of counts) {
    const t = byReplicas[n] as { train64: Rate; train128: Rate }
    log(
      `${name.padEnd(6)} ${n} replica${n > 1 ? 's' : ' '} train64 ${t.train64.wall.toFixed(1)} img/s ` +
        `(cpu ${t.train64.cpu.toFixed(1)})  train128 ${t.train128.wall.toFixed(1)} img/s ` +
        `(cpu ${t.train128.cpu.toFixed(1)})`,
    )
  }
  const line = (label: string, f: Figures) =>
    log(
      `${name.padEnd(6)} ${label} train64 ${f.train64.toFixed(1)} img/s  train128 ` +
        `${f.train128.toFixed(1)} img/s  decode64 ${f.decode64Ms.toFixed(2)} ms  decode128 ` +
        `${f.decode128Ms.toFixed(2)} ms  encode64 ${f.encode64.toFixed(0)} img/s` +
        `  (training: ${best} replica${best > 1 ? 's' : ''})`,
    )
  line('wall', pick('wall'))
  line('cpu ', pick('cpu'))
  if (stock) {
    const one = byReplicas[1] as { train64: Rate; train128: Rate }
    log(
      `${name.padEnd(6)} one thread, fused multiply-add vs stock XNNPACK (FACE_STUDIO_FMA=0), ` +
        `same rounds: train64 ${one.train64.wall.toFixed(1)} vs ${stock.train64.toFixed(1)} img/s  ` +
        `train128 ${one.train128.wall.toFixed(1)} vs ${stock.train128.toFixed(1)} img/s  ` +
        `decode64 ${r.decode64Ms.wall.toFixed(2)} vs ${stock.decode64Ms.toFixed(2)} ms  ` +
        `decode128 ${r.decode128Ms.wall.toFixed(2)} vs ${stock.decode128Ms.toFixed(2)} ms  ` +
        `encode64 ${encodeOneThread.toFixed(0)} vs ${stock.encode64.toFixed(0)} img/s`,
    )
  }
  return {
    wall: pick('wall'),
    cpu: pick('cpu'),
    trainByReplicas: byReplicas,
    replicas: best,
    baseline: stock,
  }
}

/** `--backend NAME`: that backend alone, with its adapter. */
async function mainForced(name: BackendChoice): Promise<void> {
  const sizes = (option('--sizes') ?? '64,128').split(',').map(Number)
  if (sizes.length === 0 || sizes.some((s) => s !== 64 && s !== 128)) {
    process.stderr.write('bench:train: --sizes takes 64, 128 or 64,128\n')
    process.exit(2)
  }
  const load = loadavg()[0] as number
  const pick = await pickBackend(name)
  const a = pick.adapter
  log(
    `backend ${pick.backend}` +
      (a ? ` on ${a.name} (${a.vendor}${a.software ? ', software' : ''}, ${a.api})` : ''),
  )
  const figures = await benchForced(pick.backend, {
    batch: wholeOption('--batch', 32, 1024),
    sizes: sizes as (64 | 128)[],
    steps: wholeOption('--steps', 10, 10_000),
    log,
  })
  if (json) {
    process.stdout.write(
      JSON.stringify({
        backend: pick.backend,
        adapter: a ?? null,
        ...figures,
        skipped: pick.skipped,
        loadAverage: load,
        loadAverageAfter: loadavg()[0],
      }) + '\n',
    )
  }
}

async function main(): Promise<void> {
  const forced = option('--backend')
  if (forced !== undefined) return mainForced(forced as BackendChoice)
  const load = loadavg()[0] as number
  log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (the machine's cores are shared; figures vary with load)`,
  )
  const before = await calibrateHost()
  log(describeCalibration(before))
  const best = await pickBackend('auto')
  for (const s of best.skipped) log(`skipped ${s.name}: ${s.reason}`)
  const figures = await bench(best.backend, false)
  const others: Record<string, BenchResult | string> = {}
  if (best.backend !== 'cpu') {
    if (args.has('--cpu')) {
      await pickBackend('cpu')
      others.cpu = await bench('cpu', true)
    } else {
      others.cpu = 'skipped: ~100x slower than wasm; pass --cpu to bench it at one step'
      log(`cpu      ${others.cpu}`)
    }
  }
  const after = await calibrateHost()
  log(`after: ${describeCalibration(after)}`)
  if (json) {
    process.stdout.write(
      JSON.stringify({
        backend: best.backend,
        ...figures.wall,
        /** Replica count behind train64/train128. */
        replicas: figures.replicas,
        trainByReplicas: figures.trainByReplicas,
        /** With --baseline: one thread on the stock XNNPACK kernels, in the same rounds. */
        baseline: figures.baseline,
        /** The same figures from process CPU time rather than wall time. */
        cpuTime: figures.cpu,
        skipped: best.skipped,
        others,
        loadAverage: load,
        loadAverageAfter: loadavg()[0],
        /** The host's multiply speed before and after, on one thread and two (GFLOP/s). */
        hostCalibration: { before, after },
      }) + '\n',
    )
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:train failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
