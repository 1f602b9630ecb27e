import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  CHECKPOINT_FILE,
  ParallelEncoder,
  pickBackend,
  Trainer,
  type BackendChoice,
  type BackendPick,
} from '../engine'
import type { Db } from '../store/database'
import type { ProjectPaths } from '../store/projectFolder'
import type { RunRow } from '../store/runs'
import { resolveRun } from './faceModel'

export interface RunModel {
  run: RunRow
  trainer: Trainer
  /** Large batches encoded on every core. */
  encoder: ParallelEncoder
  backend: BackendPick
  dispose(): Promise<void>
}

/** A run's latest checkpoint, loaded for inference (the given run, else the newest trained one). */
export async function loadRunModel(
  db: Db,
  paths: ProjectPaths,
  runId?: number,
  backend: BackendChoice = 'auto',
): Promise<RunModel> {
  const run = resolveRun(db, paths, runId)
  const checkpoint = join(run.dir, CHECKPOINT_FILE)
  if (!existsSync(checkpoint)) {
    throw new Error(
      `${checkpoint}: run ${run.id} has no checkpoint yet; train it for a few steps first`,
    )
  }
  const pick = await pickBackend(backend)
  const trainer = Trainer.load(checkpoint)
  const encoder = new ParallelEncoder(trainer, pick.backend, (message) =>
    process.stderr.write(`${message}\n`),
  )
  return {
    run,
    trainer,
    encoder,
    backend: pick,
    dispose: async () => {
      await encoder.close()
      trainer.dispose()
    },
  }
}
