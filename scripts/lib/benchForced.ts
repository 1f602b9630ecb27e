/**
 * bench:train on one forced backend (`--backend NAME`), reading results asynchronously so it also
 * runs on webgpu, whose reads cannot block in Node. One trainer on one thread; `--batch B` (default
 * 32), `--sizes 64,128` and `--steps N` (timed steps per size, default 10) keep it short on a
 * software adapter. Wall-clock figures only: on a GPU the CPU time says little.
 */
import { syntheticShapes } from '../../src/main/engine/data/trainingData'
import { PRESETS, trainConfig } from '../../src/main/engine/model/config'
import { VaeModel } from '../../src/main/engine/model/vaeModel'
import { Trainer } from '../../src/main/engine/train/trainer'

export interface ForcedOptions {
  batch: number
  sizes: (64 | 128)[]
  steps: number
  log: (line: string) => void
}

export interface ForcedFigures {
  batch: number
  steps: number
  /** Training images/s per size (null: not measured). */
  train64: number | null
  train128: number | null
  /** Median latency of decoding one face, ms. */
  decode64Ms: number | null
  decode128Ms: number | null
  /** Encode images/s at batch 64, 64×64. */
  encode64: number | null
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

function model(size: 64 | 128) {
  const preset = size === 64 ? PRESETS['classic-64'] : PRESETS['classic-128']
  return { ...preset, latentDim: 200 }
}

/** Images/s over `steps` steps after two warm-up steps (the first compiles every pipeline). */
async function trainRate(size: 64 | 128, o: ForcedOptions): Promise<number> {
  const t = Trainer.init(trainConfig(model(size), { batchSize: o.batch, seed: 1 }))
  const batch = syntheticShapes(o.batch, size, 3)
  try {
    for (let i = 0; i < 2; i++) await t.trainStepAsync(batch)
    const t0 = performance.now()
    for (let i = 0; i < o.steps; i++) await t.trainStepAsync(batch)
    return (o.batch * o.steps) / ((performance.now() - t0) / 1000)
  } finally {
    t.dispose()
  }
}

async function decodeMs(size: 64 | 128, trials: number): Promise<number> {
  const c = trainConfig(model(size), { seed: 1 })
  const t = VaeModel.init(c.model, c.seed)
  const z = new Float32Array(200).map((_, i) => Math.sin(i))
  try {
    for (let i = 0; i < 3; i++) await t.decodeAsync(z)
    const ms: number[] = []
    for (let i = 0; i < trials; i++) {
      const t0 = performance.now()
      await t.decodeAsync(z)
      ms.push(performance.now() - t0)
    }
    return median(ms)
  } finally {
    t.dispose()
  }
}

async function encodeRate(batches: number): Promise<number> {
  const c = trainConfig(model(64), { seed: 1 })
  const t = VaeModel.init(c.model, c.seed)
  const images = syntheticShapes(64, 64, 4)
  try {
    await t.encodeAsync(images)
    const t0 = performance.now()
    for (let i = 0; i < batches; i++) await t.encodeAsync(images)
    return (64 * batches) / ((performance.now() - t0) / 1000)
  } finally {
    t.dispose()
  }
}

export async function benchForced(name: string, o: ForcedOptions): Promise<ForcedFigures> {
  const out: ForcedFigures = {
    batch: o.batch,
    steps: o.steps,
    train64: null,
    train128: null,
    decode64Ms: null,
    decode128Ms: null,
    encode64: null,
  }
  const trials = Math.max(3, o.steps)
  for (const size of o.sizes) {
    const rate = await trainRate(size, o)
    const ms = await decodeMs(size, trials)
    if (size === 64) {
      out.train64 = rate
      out.decode64Ms = ms
    } else {
      out.train128 = rate
      out.decode128Ms = ms
    }
    o.log(
      `${name} batch ${o.batch} train${size} ${rate.toFixed(1)} img/s  decode${size} ${ms.toFixed(2)} ms`,
    )
  }
  if (o.sizes.includes(64)) {
    out.encode64 = await encodeRate(Math.max(1, Math.ceil(o.steps / 4)))
    o.log(`${name} encode64 ${out.encode64.toFixed(0)} img/s`)
  }
  return out
}
