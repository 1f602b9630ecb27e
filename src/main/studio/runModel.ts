import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  CHECKPOINT_FILE,
  loadCheckpointModel,
  ParallelEncoder,
  pickBackend,
  type BackendChoice,
  type BackendPick,
  type VaeModel,
} from '../engine'
import type { Db } from '../store/database'
import type { ProjectPaths } from '../store/projectFolder'
import { resolveRun, type RunRow } from '../store/runs'

export interface RunModel {
  run: RunRow
  /** The checkpoint's network, without its optimiser state. */
  vae: VaeModel
  /** The training step of the checkpoint loaded. */
  step: number
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
  const { model: vae, step } = loadCheckpointModel(checkpoint)
  const encoder = new ParallelEncoder(vae, pick.backend, (message) =>
    process.stderr.write(`${message}\n`),
  )
  return {
    run,
    vae,
    step,
    encoder,
    backend: pick,
    dispose: async () => {
      await encoder.close()
      vae.dispose()
    },
  }
}
