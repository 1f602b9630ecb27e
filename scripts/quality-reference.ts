/**
 * Parity of the studio's engine with a PyTorch reference of the same model: for each seed, a studio
 * run (`face-studio train`, or an existing one with `--run R`), then scripts/reference/vae_reference.py
 * on the same packed cache bytes, the same splits, the same batches in the same order, the same steps
 * and settings. Both are evaluated the same way (moving batch-norm statistics, no dropout, z = μ, the
 * first 1,024 images of the validation and test splits) and their validation loss and test PSNR
 * compared.
 * Usage: npm run quality:reference -- --project DIR [--steps 300] [--seeds 1,2,3] [--run R]
 *   [--preset classic-64] [--conventions keras|pytorch] [--threads N] [--json]
 */
import { failWith, json, log, option } from './lib/benchCli'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CHECKPOINT_FILE,
  evaluateSplit,
  PackedFileData,
  pickBackend,
  Trainer,
} from '../src/main/engine'
import type { EvalResult, TrainConfig } from '../src/main/engine'
import { EpochOrder } from '../src/main/engine/train/loop'
import { openProjectFolder } from '../src/main/store/projectFolder'
import { getRun, type RunRow } from '../src/main/store/runs'
import { dataSpec } from '../src/main/studio/training/trainingSession'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const python = process.env.FACE_STUDIO_PYTHON ?? '/usr/bin/python3'
const MAX_EVAL_IMAGES = 1024

function fail(message: string): never {
  return failWith('quality:reference', message)
}

function positive(name: string, fallback: number): number {
  const raw = option(name)
  const n = raw === undefined ? fallback : Number(raw)
  if (!Number.isInteger(n) || n <= 0) fail(`${name} must be a positive integer (got ${raw})`)
  return n
}

function checkTorch(): void {
  const probe = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) {
    fail(
      `${python} cannot import torch and numpy (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}); ` +
        'install them with `apt-get install python3-torch python3-numpy` (or point FACE_STUDIO_PYTHON at a python that has them)',
    )
  }
}

/** Runs a command, passing its stderr through, and returns the JSON object on its last stdout line. */
function runJson(cmd: string, argv: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? ''
      try {
        const parsed = JSON.parse(last) as Record<string, unknown>
        if (code !== 0)
          reject(new Error(`${cmd} exited with ${code}: ${String(parsed.error ?? last)}`))
        else resolvePromise(parsed)
      } catch {
        reject(new Error(`${cmd} ${argv.join(' ')} exited with ${code} without a JSON result`))
      }
    })
  })
}

interface Figures {
  valLoss: number | null
  valRecon: number | null
  valKl: number | null
  testPsnr: number | null
  imagesPerSecond: number | null
}

function figures(
  validation: EvalResult | null,
  test: EvalResult | null,
  rate: number | null,
): Figures {
  return {
    valLoss: validation?.total ?? null,
    valRecon: validation?.recon ?? null,
    valKl: validation?.kl ?? null,
    testPsnr: test?.psnr ?? null,
    imagesPerSecond: rate,
  }
}

async function studioRun(
  project: string,
  seed: number,
  steps: number,
  preset: string,
): Promise<number> {
  log(`studio: training ${preset} for ${steps} steps, seed ${seed}`)
  const result = await runJson(process.execPath, [
    join(root, 'bin/face-studio.js'),
    'train',
    '--project',
    project,
    '--preset',
    preset,
    '--steps',
    String(steps),
    '--seed',
    String(seed),
    '--json',
  ])
  if (typeof result.run !== 'number')
    fail(`face-studio train gave no run id: ${JSON.stringify(result)}`)
  return result.run
}

async function compare(project: string, runId: number, conventions: string, threads: number) {
  const { db, paths } = openProjectFolder(project)
  let run: RunRow
  let data: ReturnType<typeof dataSpec>
  try {
    const found = getRun(db, runId)
    if (!found) fail(`${paths.database}: no run ${runId}`)
    if (found.stepsDone < 1) fail(`run ${runId} has no trained steps`)
    // The reference implements the seed's model only: dropout, no other upsampling, Keras defaults.
    if (!found.preset.startsWith('classic-')) {
      fail(
        `run ${runId} is a ${found.preset} run; the reference implements the classic presets only`,
      )
    }
    run = found
    const train = (JSON.parse(run.config) as { train: TrainConfig }).train
    data = dataSpec(db, paths, train.model.size)
  } finally {
    db.close()
  }
  const train = (JSON.parse(run.config) as { train: TrainConfig }).train
  const packed = new PackedFileData(data.file, data.size, data.splits)
  const trainer = Trainer.load(join(run.dir, CHECKPOINT_FILE))
  const studio = figures(
    await evaluateSplit(trainer, packed, 'validation', MAX_EVAL_IMAGES),
    await evaluateSplit(trainer, packed, 'test', MAX_EVAL_IMAGES),
    run.imagesPerSecond,
  )
  trainer.dispose()
  packed.close()

  // The batches the studio's loop drew: a pure function of (seed, epoch, batch in epoch).
  const stepsPerEpoch = Math.floor(data.splits.train.length / train.batchSize)
  const order = new EpochOrder(train.seed, data.splits.train.length, train.batchSize)
  const batches = Array.from({ length: run.stepsDone }, (_, step) =>
    order.batch(Math.floor(step / stepsPerEpoch), step % stepsPerEpoch),
  )
  const dir = mkdtempSync(join(tmpdir(), 'face-studio-reference-'))
  const spec = join(dir, 'spec.json')
  writeFileSync(
    spec,
    JSON.stringify({
      cacheFile: data.file,
      splits: data.splits,
      train,
      seed: train.seed,
      batches,
      maxEvalImages: MAX_EVAL_IMAGES,
    }),
  )
  log(`reference: ${run.stepsDone} steps on the same batches (${conventions} conventions)`)
  try {
    const ref = await runJson(python, [
      join(root, 'scripts/reference/vae_reference.py'),
      '--spec',
      spec,
      '--conventions',
      conventions,
      '--threads',
      String(threads),
    ])
    const reference = figures(
      ref.validation as EvalResult | null,
      ref.test as EvalResult | null,
      ref.imagesPerSecond as number | null,
    )
    return {
      run: run.id,
      seed: train.seed,
      steps: run.stepsDone,
      studio,
      reference: { ...reference, implementation: ref.implementation },
      valLossGapPercent: percentGap(studio.valLoss, reference.valLoss),
      testPsnrGapDb:
        studio.testPsnr !== null && reference.testPsnr !== null
          ? studio.testPsnr - reference.testPsnr
          : null,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function percentGap(studio: number | null, reference: number | null): number | null {
  return studio !== null && reference !== null ? (100 * (studio - reference)) / reference : null
}

function meanOf(values: (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v))
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null
}

async function main(): Promise<void> {
  const project = option('--project')
  if (!project) fail('--project DIR is required (a project with an image cache)')
  const conventions = option('--conventions') ?? 'keras'
  if (conventions !== 'keras' && conventions !== 'pytorch') {
    fail(`--conventions must be keras or pytorch (got ${conventions})`)
  }
  const preset = option('--preset') ?? 'classic-64'
  if (preset !== 'classic-64' && preset !== 'classic-128') {
    fail(`--preset must be classic-64 or classic-128 (got ${preset})`)
  }
  const steps = positive('--steps', 300)
  // One by default: on a busy machine PyTorch's OpenMP threads spin and run several times slower.
  const threads = positive('--threads', 1)
  const seeds = (option('--seeds') ?? '1').split(',').map((s) => Number(s))
  if (seeds.some((s) => !Number.isInteger(s) || s < 0))
    fail('--seeds takes non-negative integers, comma-separated')
  checkTorch()
  await pickBackend('auto')
  const runFlag = option('--run')
  const runs: (() => Promise<number>)[] = []
  if (runFlag !== undefined) {
    const id = Number(runFlag)
    if (!Number.isInteger(id) || id <= 0) fail(`--run must be a run id (got ${runFlag})`)
    runs.push(async () => id)
  } else {
    for (const seed of seeds) runs.push(() => studioRun(project, seed, steps, preset))
  }
  const results = []
  // Seed by seed, so that each comparison is printed as soon as it is known.
  for (const studio of runs) {
    const r = await compare(project, await studio(), conventions, threads)
    results.push(r)
    log(
      `seed ${r.seed}, ${r.steps} steps: validation loss studio ${r.studio.valLoss?.toFixed(1)} / ` +
        `reference ${r.reference.valLoss?.toFixed(1)} (${r.valLossGapPercent?.toFixed(1)} %), test PSNR ` +
        `${r.studio.testPsnr?.toFixed(2)} / ${r.reference.testPsnr?.toFixed(2)} dB`,
    )
  }
  const summary = {
    project: resolve(project),
    conventions,
    loadAverage: loadavg()[0],
    runs: results,
    mean: {
      studioValLoss: meanOf(results.map((r) => r.studio.valLoss)),
      referenceValLoss: meanOf(results.map((r) => r.reference.valLoss)),
      studioTestPsnr: meanOf(results.map((r) => r.studio.testPsnr)),
      referenceTestPsnr: meanOf(results.map((r) => r.reference.testPsnr)),
    },
  }
  const gap = percentGap(summary.mean.studioValLoss, summary.mean.referenceValLoss)
  log(
    `mean over ${results.length} run(s): validation loss gap ${gap?.toFixed(1)} % (goal: within 2 %)`,
  )
  if (json) process.stdout.write(`${JSON.stringify({ ...summary, valLossGapPercent: gap })}\n`)
}

main().catch((error: unknown) => fail((error as Error).message))
