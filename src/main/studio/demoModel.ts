/**
 * The demo's trained model: a classic-64 checkpoint trained on the demo's synthetic faces by
 * `npm run build:demo-model`, committed under resources/demo-model/, installed as the demo project's
 * run 1 so that Explore, Attributes and Morph have a model on the first open.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { z } from 'zod'
import { packageRoot } from '../app/paths'
import { checkpointHeader } from '../engine/train/checkpoint'
import { CHECKPOINT_FILE } from '../engine/train/loop'
import type { Db } from '../store/database'
import type { ProjectPaths } from '../store/projectFolder'
import { createRun, listRuns, updateRun, type RunRow } from '../store/runs'

export const demoModelDir = join(packageRoot(), 'resources', 'demo-model')
/** The checkpoint with its Adam moments zeroed (the run is finished; nothing resumes it), gzipped. */
export const DEMO_CHECKPOINT = 'classic-64.ckpt.gz'
export const DEMO_MODEL_INFO = 'classic-64.json'

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
  return run
}
