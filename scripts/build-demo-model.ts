/**
 * Trains the demo project's model: classic-64 on the demo's own synthetic faces (the same generator
 * and seed the studio uses on first open), through the same training session as the studio and the
 * CLI. Writes resources/demo-model/classic-64.ckpt.gz (the checkpoint with its Adam moments zeroed:
 * the demo run is finished, nothing resumes it, and zeros compress to nothing), classic-64.json, and
 * the demo faces' latents under it (classic-64.latents.gz). `--latents-only` redoes just the latents
 * from the checkpoint already in DIR.
 * Usage: npm run build:demo-model [-- --steps N] [--seed S] [--out DIR] [--latents-only]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { ingestDataset } from '../src/main/dataset/ingest'
import { CHECKPOINT_FILE } from '../src/main/engine'
import { readCheckpointFile, writeCheckpointFile } from '../src/main/engine/train/checkpoint'
import { openProjectFolder } from '../src/main/store/projectFolder'
import { readLatentMatrix } from '../src/main/store/latents'
import type { Db } from '../src/main/store/database'
import type { ProjectPaths } from '../src/main/store/projectFolder'
import {
  DEMO_CHECKPOINT,
  DEMO_LATENTS,
  DEMO_MODEL_INFO,
  demoModelDir,
  installDemoModel,
  packLatents,
  type DemoModelInfo,
} from '../src/main/studio/demoModel'
import { DEMO_FACE_COUNT, demoLocation, ensureDemoFaces } from '../src/main/studio/demoProject'
import { inProcessFaceModel } from '../src/main/studio/faceModel'
import { encodeRun } from '../src/main/studio/latent/faces'
import { imageFiles } from '../src/main/studio/latent/latentData'
import { loadRunModel } from '../src/main/studio/runModel'
import { TrainingSession } from '../src/main/studio/training/trainingSession'

const args = process.argv.slice(2)
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const steps = Number(arg('--steps') ?? 800)
const seed = Number(arg('--seed') ?? 7)
const out = resolve(arg('--out') ?? demoModelDir)
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps: expected a positive integer`)

/** A project of the demo's faces, ingested as the studio does on first open. */
async function demoFacesProject(work: string): Promise<{ db: Db; paths: ProjectPaths }> {
  const location = demoLocation(work)
  await ensureDemoFaces(location)
  const project = openProjectFolder(location.projectDir)
  await ingestDataset(project.db, project.paths, location.datasetDir, { size: 64 })
  return project
}

async function train(work: string): Promise<void> {
  const { db, paths } = await demoFacesProject(work)
  let last = 0
  const session = TrainingSession.startNew(
    { preset: 'classic-64', steps, seed, backend: 'auto' },
    {
      db,
      paths,
      listener: {
        step: (event) => {
          if (event.step - last >= 50 || event.step === steps) {
            last = event.step
            process.stderr.write(
              `step ${event.step}/${steps}  loss ${event.total.toFixed(1)}  ${event.imagesPerSecond.toFixed(0)} img/s\n`,
            )
          }
        },
      },
    },
  )
  const { run } = await session.done
  db.close()
  if (run.status !== 'finished') throw new Error(`training ended ${run.status}: ${run.error ?? ''}`)

  const data = readCheckpointFile(join(run.dir, CHECKPOINT_FILE))
  const shapes = new Map(
    [...data.header.params, ...data.header.adamM].map((blob) => [blob.name, blob.shape]),
  )
  const withShapes = (m: Map<string, Float32Array>, zero: boolean) =>
    new Map(
      [...m].map(([name, values]) => [
        name,
        { shape: shapes.get(name) ?? [], values: zero ? new Float32Array(values.length) : values },
      ]),
    )
  const slim = join(work, 'slim.ckpt')
  writeCheckpointFile(
    slim,
    {
      config: data.header.config,
      step: data.header.step,
      rng: data.header.rng,
      adamIteration: data.header.adamIteration,
    },
    withShapes(data.params, false),
    withShapes(data.adamM, true),
    withShapes(data.adamV, true),
  )
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, DEMO_CHECKPOINT), gzipSync(readFileSync(slim), { level: 9 }))
  const info: DemoModelInfo = {
    preset: 'classic-64',
    seed,
    steps: run.stepsDone,
    faces: DEMO_FACE_COUNT,
    backend: run.backend ?? 'unknown',
    secondsTraining: Math.round(run.secondsTraining),
    imagesPerSecond: run.imagesPerSecond,
    valLoss: run.valLoss,
    testMse: run.testMse,
    testPsnr: run.testPsnr,
  }
  writeFileSync(join(out, DEMO_MODEL_INFO), `${JSON.stringify(info, null, 2)}\n`)
  process.stdout.write(
    `${join(out, DEMO_CHECKPOINT)}: ${run.stepsDone} steps in ${info.secondsTraining} s on ${info.backend}, test PSNR ${run.testPsnr?.toFixed(2) ?? 'n/a'} dB\n`,
  )
}

/** Encodes the demo faces with the committed checkpoint, installed as the studio installs it. */
async function encodeLatents(work: string): Promise<void> {
  const { db, paths } = await demoFacesProject(work)
  const run = installDemoModel(db, paths, out)
  if (!run) throw new Error(`${join(out, DEMO_CHECKPOINT)}: no demo checkpoint to encode with`)
  const model = await loadRunModel(db, paths, run.id)
  try {
    await encodeRun(db, paths, inProcessFaceModel(model))
  } finally {
    await model.dispose()
  }
  const matrix = readLatentMatrix(db, run.id)
  writeFileSync(
    join(out, DEMO_LATENTS),
    packLatents({
      step: run.stepsDone,
      dim: matrix.dim,
      files: imageFiles(db, Array.from(matrix.imageIds)),
      mu: matrix.mu,
      logVar: matrix.logVar,
    }),
  )
  db.close()
  process.stdout.write(`${join(out, DEMO_LATENTS)}: ${matrix.imageIds.length} latents\n`)
}

const work = mkdtempSync(join(tmpdir(), 'demo-model-'))
try {
  if (!args.includes('--latents-only')) await train(join(work, 'train'))
  await encodeLatents(join(work, 'encode'))
} finally {
  rmSync(work, { recursive: true, force: true })
}
