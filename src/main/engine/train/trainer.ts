import { tf } from '../tf'
import { BN_MOMENTUM } from '../model/batchNorm'
import { type TrainConfig, validateTrainConfig } from '../model/config'
import { klWeight, vaeLoss } from '../model/loss'
import {
  createParams,
  disposeParams,
  modelLayout,
  type ModelLayout,
  type Params,
} from '../model/params'
import { bytesToUnit, unitToRgba } from '../model/pixels'
import { mixSeed } from '../model/rng'
import { decodeForward, encodeForward, type NormStats, reparameterize } from '../model/vae'
import { Adam } from './adam'
import { type CheckpointData, readCheckpointFile, writeCheckpointFile } from './checkpoint'

export interface StepLoss {
  total: number
  recon: number
  kl: number
}

/** Largest batch pushed through the network at once outside training. */
const INFER_BATCH = 64

/**
 * A VAE and its optimizer. Every random draw of a step (dropout, ε) is derived from (seed, step), so
 * two trainers with the same seed — or one resumed from a checkpoint — produce identical losses on
 * the same backend.
 */
export class Trainer {
  readonly layout: ModelLayout
  private readonly params: Params
  private readonly adam: Adam
  private readonly trainable: Map<string, tf.Variable>
  private stepCount = 0

  private constructor(readonly config: TrainConfig) {
    validateTrainConfig(config)
    this.layout = modelLayout(config.model)
    this.params = createParams(this.layout, config.seed)
    this.trainable = new Map(
      this.layout.specs
        .filter((s) => s.trainable)
        .map((s) => [s.name, this.params.get(s.name) as tf.Variable]),
    )
    this.adam = new Adam(
      config.learningRate,
      new Map([...this.trainable].map(([name, v]) => [name, v.shape])),
    )
  }

  /** A fresh model with seeded initial weights. */
  static init(config: TrainConfig, seed: number = config.seed): Trainer {
    return new Trainer({ ...config, seed })
  }

  static fromCheckpoint(data: CheckpointData): Trainer {
    const t = new Trainer(data.header.config)
    t.restore(data)
    return t
  }

  static load(file: string): Trainer {
    return Trainer.fromCheckpoint(readCheckpointFile(file))
  }

  get step(): number {
    return this.stepCount
  }

  get imageBytes(): number {
    const s = this.config.model.size
    return s * s * 3
  }

  private imagesTensor(bytes: Uint8Array): tf.Tensor4D {
    const s = this.config.model.size
    const n = bytes.length / this.imageBytes
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(
        `trainer: batch of ${bytes.length} bytes is not a whole number of ${s}x${s}x3 images`,
      )
    }
    return tf.tensor4d(bytesToUnit(bytes), [n, s, s, 3])
  }

  /** One optimisation step on a uint8 NHWC batch. */
  trainStep(batch: Uint8Array): StepLoss {
    const c = this.config
    const stepSeed = mixSeed(c.seed, this.stepCount, 0x57e9)
    const weight = klWeight(c.beta, c.klWarmupSteps, this.stepCount)
    const stats: NormStats[] = []
    const values = tf.tidy(() => {
      const x = this.imagesTensor(batch)
      let parts: tf.Scalar[] = []
      const { value, grads } = tf.variableGrads(() => {
        const { mu, logVar } = encodeForward(x, this.params, this.layout, c.model, {
          training: true,
          dropoutSeed: mixSeed(stepSeed, 1),
          stats,
        })
        const z = reparameterize(mu, logVar, mixSeed(stepSeed, 2))
        const out = decodeForward(z, this.params, this.layout, c.model, {
          training: true,
          dropoutSeed: mixSeed(stepSeed, 3),
          stats,
        })
        const loss = vaeLoss(x, out, mu, logVar, c.rLossFactor, weight)
        parts = [tf.keep(loss.recon), tf.keep(loss.kl)]
        return loss.total
      }, [...this.trainable.values()])
      const byName = new Map<string, tf.Tensor>()
      for (const [name, v] of this.trainable) {
        const g = grads[v.name]
        if (g) byName.set(name, g)
      }
      this.adam.apply(this.trainable, byName)
      this.updateMovingStats(stats)
      const packed = tf.stack([value, ...parts])
      tf.dispose(parts)
      return packed
    })
    for (const s of stats) tf.dispose([s.mean, s.variance])
    const [total, recon, kl] = values.dataSync() as Float32Array
    values.dispose()
    this.stepCount++
    return { total: total as number, recon: recon as number, kl: kl as number }
  }

  private updateMovingStats(stats: NormStats[]): void {
    for (const s of stats) {
      const mean = this.params.get(s.movingMean) as tf.Variable
      const variance = this.params.get(s.movingVariance) as tf.Variable
      mean.assign(tf.add(tf.mul(mean, BN_MOMENTUM), tf.mul(s.mean, 1 - BN_MOMENTUM)))
      variance.assign(tf.add(tf.mul(variance, BN_MOMENTUM), tf.mul(s.variance, 1 - BN_MOMENTUM)))
    }
  }

  /** Inference-mode loss (moving statistics, no dropout, z = μ) and the summed pixel error. */
  evaluate(batch: Uint8Array): StepLoss & { sumSquaredError: number; pixels: number } {
    const c = this.config
    const values = tf.tidy(() => {
      const x = this.imagesTensor(batch)
      const mode = { training: false }
      const { mu, logVar } = encodeForward(x, this.params, this.layout, c.model, mode)
      const out = decodeForward(mu, this.params, this.layout, c.model, mode)
      const loss = vaeLoss(x, out, mu, logVar, c.rLossFactor, c.beta)
      return tf.stack([loss.total, loss.recon, loss.kl, tf.sum(tf.squaredDifference(x, out))])
    })
    const [total, recon, kl, sse] = values.dataSync() as Float32Array
    values.dispose()
    return {
      total: total as number,
      recon: recon as number,
      kl: kl as number,
      sumSquaredError: sse as number,
      pixels: batch.length,
    }
  }

  /** μ and log σ² for uint8 NHWC images, each [n × latentDim] row-major. */
  encode(images: Uint8Array): { mu: Float32Array; logVar: Float32Array } {
    const d = this.config.model.latentDim
    const n = images.length / this.imageBytes
    const mu = new Float32Array(n * d)
    const logVar = new Float32Array(n * d)
    for (let start = 0; start < n; start += INFER_BATCH) {
      const count = Math.min(INFER_BATCH, n - start)
      const slice = images.subarray(start * this.imageBytes, (start + count) * this.imageBytes)
      const [m, l] = tf.tidy(() => {
        const r = encodeForward(
          this.imagesTensor(slice),
          this.params,
          this.layout,
          this.config.model,
          {
            training: false,
          },
        )
        return [r.mu, r.logVar]
      }) as [tf.Tensor, tf.Tensor]
      mu.set(m.dataSync(), start * d)
      logVar.set(l.dataSync(), start * d)
      tf.dispose([m, l])
    }
    return { mu, logVar }
  }

  /** Latents [n × latentDim] → RGBA frames, n·size·size·4 bytes. */
  decode(latents: Float32Array): Uint8ClampedArray {
    const d = this.config.model.latentDim
    const n = latents.length / d
    if (!Number.isInteger(n)) {
      throw new Error(`decode: ${latents.length} values is not a multiple of latentDim ${d}`)
    }
    const s = this.config.model.size
    const out = new Uint8ClampedArray(n * s * s * 4)
    for (let start = 0; start < n; start += INFER_BATCH) {
      const count = Math.min(INFER_BATCH, n - start)
      const pixels = tf.tidy(() => {
        const z = tf.tensor2d(latents.subarray(start * d, (start + count) * d), [count, d])
        return decodeForward(z, this.params, this.layout, this.config.model, { training: false })
      })
      out.set(unitToRgba(pixels.dataSync() as Float32Array), start * s * s * 4)
      pixels.dispose()
    }
    return out
  }

  /** n faces from the prior, z ~ N(0, temperature²). */
  sample(n: number, seed: number, temperature = 1): Uint8ClampedArray {
    const z = tf.tidy(() =>
      tf.randomNormal([n, this.config.model.latentDim], 0, temperature, 'float32', seed),
    )
    const latents = z.dataSync() as Float32Array
    z.dispose()
    return this.decode(latents)
  }

  /** Images through μ and back, RGBA. */
  reconstruct(images: Uint8Array): Uint8ClampedArray {
    return this.decode(this.encode(images).mu)
  }

  /** Writes the full training state (atomically) to `file`. */
  saveCheckpoint(file: string): void {
    const params = new Map(
      this.layout.specs.map((s) => {
        const v = this.params.get(s.name) as tf.Variable
        return [s.name, { shape: s.shape, values: v.dataSync() as Float32Array }]
      }),
    )
    const adam = this.adam.getState()
    const shaped = (m: Map<string, Float32Array>) =>
      new Map(
        [...m].map(([name, values]) => [
          name,
          { shape: (this.trainable.get(name) as tf.Variable).shape, values },
        ]),
      )
    writeCheckpointFile(
      file,
      {
        config: this.config,
        step: this.stepCount,
        rng: { seed: this.config.seed, step: this.stepCount },
        adamIteration: adam.iteration,
      },
      params,
      shaped(adam.m),
      shaped(adam.v),
    )
  }

  private restore(data: CheckpointData): void {
    for (const spec of this.layout.specs) {
      const values = data.params.get(spec.name)
      const v = this.params.get(spec.name) as tf.Variable
      if (!values || values.length !== v.size) {
        throw new Error(`checkpoint: parameter ${spec.name} is missing or has the wrong size`)
      }
      tf.tidy(() => v.assign(tf.tensor(values, v.shape)))
    }
    this.adam.setState({ iteration: data.header.adamIteration, m: data.adamM, v: data.adamV })
    this.stepCount = data.header.step
  }

  dispose(): void {
    disposeParams(this.params)
    this.adam.dispose()
  }
}
