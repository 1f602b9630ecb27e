/**
 * The demo's trained model: a classic-64 checkpoint trained on the demo's synthetic faces by
 * `npm run build:demo-model`, committed under resources/demo-model/, installed as the demo project's
 * run 1 so that Explore, Attributes and Morph have a model on the first open.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { z } from 'zod'
import { packageRoot } from '../app/paths'
import { checkpointHeader } from '../engine/train/checkpoint'
import { CHECKPOINT_FILE } from '../engine/train/loop'
import type { Db } from '../store/database'
import { okImages } from '../store/images'
import { insertLatents } from '../store/latents'
import type { ProjectPaths } from '../store/projectFolder'
import { createRun, getRun, listRuns, updateRun, type RunRow } from '../store/runs'

export const demoModelDir = join(packageRoot(), 'resources', 'demo-model')
/** The checkpoint with its Adam moments zeroed (the run is finished; nothing resumes it), gzipped. */
export const DEMO_CHECKPOINT = 'classic-64.ckpt.gz'
export const DEMO_MODEL_INFO = 'classic-64.json'
/**
 * The demo faces' latents under that checkpoint, keyed by file name: encoding 600 faces on first open
 * takes longer than the demo should, and the faces are generated from a fixed seed.
 */
export const DEMO_LATENTS = 'classic-64.latents.gz'

export interface PackedLatents {
  step: number
  dim: number
  files: string[]
  /** N×dim each, in the order of `files`. */
  mu: Float32Array
  logVar: Float32Array
}

/** gzip of: u32 header length, JSON header {step, dim, files}, μ floats, log σ² floats. */
export function packLatents(latents: PackedLatents): Buffer {
  const header = Buffer.from(
    JSON.stringify({ step: latents.step, dim: latents.dim, files: latents.files }),
  )
  const length = Buffer.alloc(4)
  length.writeUInt32LE(header.length)
  const floats = (values: Float32Array) =>
    Buffer.from(values.buffer, values.byteOffset, values.byteLength)
  return gzipSync(Buffer.concat([length, header, floats(latents.mu), floats(latents.logVar)]), {
    level: 9,
  })
}

export function unpackLatents(packed: Buffer, file: string): PackedLatents {
  const raw = gunzipSync(packed)
  const headerLength = raw.readUInt32LE(0)
  const header = JSON.parse(raw.toString('utf8', 4, 4 + headerLength)) as {
    step: number
    dim: number
    files: string[]
  }
  const count = header.files.length * header.dim
  const start = 4 + headerLength
  if (raw.length !== start + count * 8) {
    throw new Error(`${file}: expected ${header.files.length} latents of ${header.dim} values`)
  }
  // Copy: the floats need not be 4-byte aligned in the buffer.
  const floats = new Float32Array(new Uint8Array(raw.subarray(start)).buffer)
  return { ...header, mu: floats.slice(0, count), logVar: floats.slice(count) }
}

/**
 * Stores the shipped latents of the faces this project has, when they came from the run's
 * checkpoint. Returns how many were stored (0 when there are none to use: the studio encodes then).
 */
export function installDemoLatents(db: Db, run: RunRow, dir = demoModelDir): number {
  const file = join(dir, DEMO_LATENTS)
  if (!existsSync(file)) return 0
  const latents = unpackLatents(readFileSync(file), file)
  if (latents.step !== run.stepsDone) return 0
  const byFile = new Map(okImages(db).map((row) => [row.file, row.id]))
  const { dim } = latents
  const rows = latents.files.flatMap((name, i) => {
    const imageId = byFile.get(name)
    if (imageId === undefined) return []
    return [
      {
        imageId,
        mu: latents.mu.subarray(i * dim, (i + 1) * dim),
        logVar: latents.logVar.subarray(i * dim, (i + 1) * dim),
      },
    ]
  })
  insertLatents(db, run.id, latents.step, rows)
  return rows.length
}

/** How the committed model was trained: shown in the run list like any run's figures. */
export const demoModelInfoSchema = z.object({
  preset: z.literal('classic-64'),
  seed: z.number().int(),
  steps: z.number().int().positive(),
  faces: z.number().int().positive(),
  backend: z.string(),
  secondsTraining: z.number().nonnegative(),
  imagesPerSecond: z.number().nonnegative().nullable(),
  valLoss: z.number().nullable(),
  testMse: z.number().nullable(),
  testPsnr: z.number().nullable(),
})
export type DemoModelInfo = z.infer<typeof demoModelInfoSchema>

function readInfo(dir: string): DemoModelInfo {
  const file = join(dir, DEMO_MODEL_INFO)
  try {
    return demoModelInfoSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
  } catch (error) {
    throw new Error(
      `${file}: not a valid demo model description (${(error as Error).message}); run \`npm run build:demo-model\``,
      { cause: error },
    )
  }
}

/**
 * Installs the committed model as run 1 of a demo project that has no run yet. Returns the run, or
 * null when the project has runs already or the package carries no demo model.
 */
export function installDemoModel(db: Db, paths: ProjectPaths, dir = demoModelDir): RunRow | null {
  if (listRuns(db).length > 0) return null
  const packed = join(dir, DEMO_CHECKPOINT)
  if (!existsSync(packed)) return null
  const info = readInfo(dir)
  const checkpoint = gunzipSync(readFileSync(packed))
  const { header } = checkpointHeader(checkpoint, packed)
  const run = createRun(
    db,
    {
      preset: info.preset,
      // The checkpoint's own config, so the run reads like one trained here.
      config: { train: header.config, backend: 'auto' },
      seed: info.seed,
      targetSteps: info.steps,
      datasetSnapshot: { demo: true, faces: info.faces },
    },
    (id) => join(paths.runs, `run-${id}`),
  )
  mkdirSync(run.dir, { recursive: true })
  const file = join(run.dir, CHECKPOINT_FILE)
  writeFileSync(file, checkpoint)
  updateRun(db, run.id, {
    status: 'finished',
    stepsDone: header.step,
    backend: info.backend,
    backendNotes: '[]',
    secondsTraining: info.secondsTraining,
    valLoss: info.valLoss,
    testMse: info.testMse,
    testPsnr: info.testPsnr,
    ...(info.imagesPerSecond !== null ? { imagesPerSecond: info.imagesPerSecond } : {}),
  })
  return getRun(db, run.id) as RunRow
}
