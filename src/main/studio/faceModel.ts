import { statSync } from 'node:fs'
import { join } from 'node:path'
import { CHECKPOINT_FILE } from '../engine'
import {
  forkInferenceProcess,
  InferenceClient,
  type InferenceChannel,
  type LoadedModel,
} from '../engine/process/inferenceClient'
import type { Db } from '../store/database'
import type { ProjectPaths } from '../store/projectFolder'
import { resolveRun } from '../store/runs'
import type { RunModel } from './runModel'

/** A trained run's encoder and decoder, wherever they run (the CLI's process or an inference process). */
export interface FaceModel {
  runId: number
  /** The training step of the checkpoint loaded: latents are keyed by it. */
  step: number
  size: number
  latentDim: number
  backend: string
  /** RGB NHWC uint8 images of size×size → μ and log σ², N×latentDim each. */
  encode(imagesRgb: Uint8Array): Promise<{ mu: Float32Array; logVar: Float32Array }>
  /** N×latentDim latents → N RGBA faces of size×size. */
  decode(latents: Float32Array): Promise<Uint8ClampedArray>
}

/** The CLI's model: tfjs in the command's own process. */
export function inProcessFaceModel(model: RunModel): FaceModel {
  return {
    runId: model.run.id,
    step: model.step,
    size: model.vae.config.size,
    latentDim: model.vae.config.latentDim,
    backend: model.backend.backend,
    encode: (images) => model.encoder.encode(images),
    decode: (latents) => model.vae.decodeAsync(latents),
  }
}

/**
 * The studio's models: one inference process, holding the run last asked for, reloaded when that run
 * has a newer checkpoint.
 */
export class ModelHost {
  private client: InferenceClient | null = null
  private loaded: { key: string; model: FaceModel } | null = null
  private loading: Promise<FaceModel> | null = null

  constructor(private readonly launch: () => InferenceChannel = forkInferenceProcess) {}

  async forRun(db: Db, paths: ProjectPaths, runId?: number): Promise<FaceModel> {
    const run = resolveRun(db, paths, runId)
    const checkpoint = join(run.dir, CHECKPOINT_FILE)
    let mtime: number
    try {
      mtime = statSync(checkpoint).mtimeMs
    } catch {
      throw new Error(
        `${checkpoint}: run ${run.id} has no checkpoint yet; train it for a few steps first`,
      )
    }
    const key = `${checkpoint}@${mtime}`
    if (this.loaded?.key === key && this.client?.alive) return this.loaded.model
    if (this.loading) await this.loading.catch(() => undefined)
    if (this.loaded?.key === key && this.client?.alive) return this.loaded.model
    this.loading = this.load(run.id, checkpoint, key)
    try {
      return await this.loading
    } finally {
      this.loading = null
    }
  }

  close(): void {
    this.client?.close()
    this.client = null
    this.loaded = null
  }

  private async load(runId: number, checkpoint: string, key: string): Promise<FaceModel> {
    if (!this.client?.alive) this.client = new InferenceClient(this.launch())
    const client = this.client
    const info: LoadedModel = await client.load(checkpoint)
    const model: FaceModel = {
      runId,
      step: info.step,
      size: info.size,
      latentDim: info.latentDim,
      backend: info.backend,
      encode: (images) => client.encode(images),
      decode: (latents) => client.decode(latents),
    }
    this.loaded = { key, model }
    return model
  }
}
