/**
 * The presets side by side at the same wall time on this machine: each trains from scratch for
 * `--seconds` on the project's own cache (the studio's engine, backend and replicas), then reports
 * test PSNR, SSIM, sharpness of prior samples relative to real faces, active units and images/s, and
 * writes a grid of prior samples and one of test reconstructions per preset. With `--labelled DIR` (a
 * project whose dataset has attribute labels) each preset also trains there for the same time and
 * the Smiling and Male directions of both methods are scored by ROC AUC on the held-out 10 %.
 * Usage: npm run quality:presets -- --project DIR [--labelled DIR] [--seconds 120]
 *   [--presets classic-64,studio-64] [--seed 1] [--out DIR] [--json]
 */
import { failWith, json, log, option } from './lib/benchCli'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { attributeVectorAucs } from '../src/main/analysis/auc'
import { computeAttributeVectors } from '../src/main/analysis/attributeVectors'
import { heldOutRows } from '../src/main/analysis/heldOut'
import { computeLinearAttributeVectors } from '../src/main/analysis/linearDirections'
import { takeRows } from '../src/main/analysis/matrix'
import {
  evaluateSplit,
  PackedFileData,
  ParallelTrainer,
  pickBackend,
  replicaCount,
  runTraining,
  Trainer,
  type StepTrainer,
} from '../src/main/engine'
import {
  isPresetName,
  PRESETS,
  trainConfig,
  type PresetName,
} from '../src/main/engine/model/config'
import { measureQuality } from '../src/main/engine/train/quality'
import { comparisonPng, faceGridPng } from '../src/main/export/faceGrid'
import { openExistingProject } from '../src/main/store/projectFolder'
import { HELD_OUT_SEED, HELD_OUT_SHARE } from '../src/main/studio/latent/vectors'
import { loadLabels } from '../src/main/studio/latent/latentData'
import { dataSpec } from '../src/main/studio/training/trainingSession'

function fail(message: string): never {
  return failWith('quality:presets', message)
}

const project =
  option('--project') ?? fail('--project DIR is required (an ingested project folder)')
const labelled = option('--labelled')
const seconds = Number(option('--seconds') ?? 120)
if (!(seconds > 0 && seconds <= 24 * 3600)) fail(`--seconds must be in (0, 86400]`)
const seed = Number(option('--seed') ?? 1)
if (!Number.isInteger(seed)) fail(`--seed must be an integer`)
const presets = (option('--presets') ?? 'classic-64,studio-64').split(',').map((name) => {
  if (!isPresetName(name)) fail(`unknown preset ${name}; one of ${Object.keys(PRESETS).join(', ')}`)
  return name
})
const outDir = resolve(option('--out') ?? 'quality-presets')
const ATTRIBUTES = ['Smiling', 'Male']
const EVAL_IMAGES = 2048

interface Trained {
  trainer: StepTrainer
  /** Replica 0 (the only one without replicas): the one that encodes. */
  local: Trainer
  slots: ReturnType<typeof dataSpec>['splits']
  data: PackedFileData
  steps: number
  seconds: number
  imagesPerSecond: number
  close: () => Promise<void>
}

/** Trains `preset` from scratch on the project's cache until `seconds` of training have passed. */
async function trainFor(dir: string, preset: PresetName): Promise<Trained> {
  const { db, paths } = openExistingProject(dir)
  let spec: ReturnType<typeof dataSpec>
  try {
    spec = dataSpec(db, paths, PRESETS[preset].size)
  } finally {
    db.close()
  }
  const data = new PackedFileData(spec.file, spec.size, spec.splits)
  const backend = await pickBackend('auto')
  const config = trainConfig(preset, { seed })
  const local = Trainer.init(config)
  const replicas = replicaCount(backend.backend)
  const trainer =
    replicas > 1
      ? await ParallelTrainer.start(local, { replicas, backend: backend.backend })
      : local
  const runDir = mkdtempSync(join(tmpdir(), 'face-studio-presets-'))
  const stop = new AbortController()
  let steps = 0
  let lastStepAt = 0
  const started = performance.now()
  // The loop checks the signal between steps: the deadline is read as each step's event arrives.
  await runTraining(trainer, {
    data,
    epochs: 1_000_000,
    runDir,
    checkpointEverySteps: 1_000_000_000,
    maxEvalImages: 0,
    signal: stop.signal,
    onEvent: (event) => {
      if (event.type !== 'step') return
      steps = event.step
      lastStepAt = performance.now()
      if (lastStepAt - started >= seconds * 1000) stop.abort()
    },
  })
  const trainedSeconds = (lastStepAt - started) / 1000
  log(
    `  ${preset}: ${steps} steps in ${trainedSeconds.toFixed(1)} s (${backend.backend}, ${replicas} replica${replicas > 1 ? 's' : ''})`,
  )
  return {
    trainer,
    local,
    slots: spec.splits,
    data,
    steps,
    seconds: trainedSeconds,
    imagesPerSecond: (steps * config.batchSize) / trainedSeconds,
    close: async () => {
      if (trainer !== local) await (trainer as ParallelTrainer).close()
      local.dispose()
      data.close()
      rmSync(runDir, { recursive: true, force: true })
    },
  }
}

/** μ of every image of every split, with the images' ids (a cache slot is its image id − 1). */
async function encodeAll(
  trained: Trained,
): Promise<{ ids: Int32Array; mu: Float32Array; dim: number }> {
  const dim = trained.local.config.model.latentDim
  const slots = [...trained.slots.train, ...trained.slots.validation, ...trained.slots.test]
  const mu = new Float32Array(slots.length * dim)
  let at = 0
  for (const split of ['train', 'validation', 'test'] as const) {
    const count = trained.data.count(split)
    for (let start = 0; start < count; start += 64) {
      const indices = Array.from({ length: Math.min(64, count - start) }, (_, i) => start + i)
      const images = await trained.data.readBatch(split, indices)
      mu.set((await trained.local.encodeAsync(images)).mu, at * dim)
      at += indices.length
    }
  }
  return { ids: Int32Array.from(slots, (slot) => slot + 1), mu, dim }
}

/** Held-out ROC AUC of the Smiling and Male directions of both methods, fitted on the rest. */
async function directionAucs(
  dir: string,
  trained: Trained,
): Promise<Record<string, number | null>> {
  const { ids, mu, dim } = await encodeAll(trained)
  const { db } = openExistingProject(dir)
  let table: ReturnType<typeof loadLabels>
  try {
    table = loadLabels(db, ids)
  } finally {
    db.close()
  }
  if (table.names.length === 0) fail(`${dir}: the dataset has no attribute labels`)
  const a = table.names.length
  const n = ids.length
  const { heldOut, rest } = heldOutRows(ids, HELD_OUT_SHARE, HELD_OUT_SEED)
  const linear = computeLinearAttributeVectors(mu, n, dim, table.labels, a, rest)
  const meanDiff = computeAttributeVectors(
    takeRows(mu, dim, rest),
    rest.length,
    dim,
    takeRows(table.labels, a, rest),
    a,
  )
  const out: Record<string, number | null> = {}
  for (const [method, result] of [
    ['linear', linear],
    ['meanDiff', meanDiff],
  ] as const) {
    const aucs = attributeVectorAucs(mu, n, dim, table.labels, a, result.vectors, heldOut)
    for (const name of ATTRIBUTES) {
      const k = table.names.findIndex((x) => x.toLowerCase() === name.toLowerCase())
      const auc = k >= 0 ? (aucs[k] ?? null) : null
      out[`${name}.${method}`] = auc === null ? null : +auc.toFixed(3)
    }
  }
  return out
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true })
  log(
    `quality:presets: ${presets.join(' vs ')}, ${seconds} s each, seed ${seed}; load ${loadavg()[0]?.toFixed(1)}`,
  )
  const results = []
  for (const preset of presets) {
    log(`${preset} on ${project}`)
    const trained = await trainFor(project, preset)
    const test = await evaluateSplit(trained.trainer, trained.data, 'test', EVAL_IMAGES)
    if (!test) fail(`${project}: the dataset has no test split`)
    const quality = await measureQuality(trained.trainer, trained.data, test)
    const size = trained.data.size
    const samples = await trained.trainer.sampleAsync(16, seed)
    writeFileSync(join(outDir, `${preset}-samples.png`), await faceGridPng(samples, size, 8))
    const faces = await trained.data.readBatch(
      'test',
      Array.from({ length: 8 }, (_, i) => i),
    )
    const recon = (await trained.trainer.inspectAsync(faces)).reconstructions
    writeFileSync(
      join(outDir, `${preset}-reconstructions.png`),
      await comparisonPng(faces, recon, size),
    )
    await trained.close()
    let aucs: Record<string, number | null> | null = null
    if (labelled) {
      log(`${preset} on ${labelled}`)
      const onLabelled = await trainFor(labelled, preset)
      aucs = await directionAucs(labelled, onLabelled)
      await onLabelled.close()
    }
    const row = {
      preset,
      steps: trained.steps,
      seconds: +trained.seconds.toFixed(1),
      imagesPerSecond: Math.round(trained.imagesPerSecond),
      testPsnr: +quality.testPsnr.toFixed(2),
      ssim: +quality.ssim.toFixed(3),
      sharpness: +quality.sharpness.toFixed(3),
      kl: +quality.kl.toFixed(1),
      activeUnits: quality.activeUnits,
      aucs,
    }
    log(`  ${JSON.stringify(row)}`)
    results.push(row)
  }
  const summary = { seconds, seed, project, labelled: labelled ?? null, outDir, presets: results }
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`)
  else {
    log('')
    log('preset        steps   img/s  PSNR dB   SSIM  sharp  Smiling lin/md  Male lin/md')
    for (const r of results) {
      const auc = (k: string) => (r.aucs?.[k] ?? null)?.toFixed(3) ?? '–'
      log(
        `${r.preset.padEnd(12)} ${String(r.steps).padStart(6)} ${String(r.imagesPerSecond).padStart(7)} ` +
          `${r.testPsnr.toFixed(2).padStart(8)} ${r.ssim.toFixed(3).padStart(6)} ${r.sharpness.toFixed(3).padStart(6)}  ` +
          `${auc('Smiling.linear')}/${auc('Smiling.meanDiff')}    ${auc('Male.linear')}/${auc('Male.meanDiff')}`,
      )
    }
    log(`grids in ${outDir}`)
  }
}

await main()
