/**
 * Correctness half of scripts/gpu-check.sh: N training steps of classic-64 (or -128) on webgpu
 * and on the CPU engine (wasm) from the same seed on the same batch, then the largest relative
 * difference of the losses. Prints one JSON object; exits 1 when the difference is 1 % or more.
 * `tsx scripts/gpu-check-train.ts [--steps 20] [--batch 32] [--size 64]`
 */
import { pickBackend } from '../src/main/engine/backend/picker'
import { syntheticShapes } from '../src/main/engine/data/trainingData'
import { PRESETS, trainConfig } from '../src/main/engine/model/config'
import { Trainer } from '../src/main/engine/train/trainer'

const argv = process.argv.slice(2)
function whole(flag: string, fallback: number): number {
  const i = argv.indexOf(flag)
  const n = i >= 0 ? Number(argv[i + 1]) : fallback
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`gpu-check-train: ${flag} needs a positive whole number\n`)
    process.exit(2)
  }
  return n
}

async function losses(
  backend: 'webgpu' | 'wasm',
  steps: number,
  batch: Uint8Array,
  config: ReturnType<typeof trainConfig>,
) {
  const pick = await pickBackend(backend)
  const t = Trainer.init(config)
  const out: number[] = []
  const t0 = performance.now()
  for (let i = 0; i < steps; i++) out.push((await t.trainStepAsync(batch)).total)
  const seconds = (performance.now() - t0) / 1000
  t.dispose()
  return { pick, out, seconds }
}

async function main(): Promise<void> {
  const steps = whole('--steps', 20)
  const batchSize = whole('--batch', 32)
  const size = whole('--size', 64)
  if (size !== 64 && size !== 128) throw new Error('--size must be 64 or 128')
  const preset = size === 64 ? PRESETS['classic-64'] : PRESETS['classic-128']
  const config = trainConfig(preset, { batchSize, seed: 17 })
  const batch = syntheticShapes(batchSize, size, 23)
  const gpu = await losses('webgpu', steps, batch, config)
  const a = gpu.pick.adapter
  process.stderr.write(
    `webgpu adapter: ${a?.name} (${a?.vendor}${a?.software ? ', software' : ''}, ${a?.api})\n`,
  )
  const cpu = await losses('wasm', steps, batch, config)
  const rel = gpu.out.map(
    (l, i) => Math.abs(l - (cpu.out[i] as number)) / Math.abs(cpu.out[i] as number),
  )
  const maxRelDiff = Math.max(...rel)
  const ok = maxRelDiff < 0.01 && gpu.out.every(Number.isFinite)
  process.stdout.write(
    JSON.stringify({
      ok,
      preset: size === 64 ? 'classic-64' : 'classic-128',
      steps,
      batch: batchSize,
      adapter: a ?? null,
      webgpuLosses: gpu.out,
      cpuEngine: 'wasm',
      cpuLosses: cpu.out,
      maxRelDiff,
      webgpuSeconds: gpu.seconds,
      cpuSeconds: cpu.seconds,
    }) + '\n',
  )
  process.exit(ok ? 0 : 1)
}

main().catch((e: unknown) => {
  process.stderr.write(`gpu-check-train failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
