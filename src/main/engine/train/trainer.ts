import { tf } from '../tf'
import { BN_MOMENTUM, unbiasedVarianceFactor } from '../model/batchNorm'
import { type TrainConfig, validateTrainConfig } from '../model/config'
import { klWeight, vaeLoss } from '../model/loss'
import type { ModelLayout, Params } from '../model/params'
import { readAsync, type Reads, readSync } from '../model/reads'
import { mixSeed } from '../model/rng'
import { decodeForward, encodeForward, type ForwardMode, type NormStats } from '../model/vae'
import { type Encoded, type Inspection, VaeModel } from '../model/vaeModel'
import { ReplicaGroupError, type ReplicaLink } from '../parallel/sharedGroup'
import { Adam } from './adam'
import { type CheckpointData, readCheckpointFile, writeCheckpointFile } from './checkpoint'

export interface StepLoss {
  total: number
  recon: number
  kl: number
}

/** evaluate's result: the loss parts and the summed squared pixel error over `pixels` values. */
export type Evaluation = StepLoss & { sumSquaredError: number; pixels: number }

/** A trainer's whole state in plain arrays: what a checkpoint holds and what a new replica copies. */
export interface TrainerState {
  config: TrainConfig
  step: number
  adamIteration: number
  params: Map<string, Float32Array>
  adamM: Map<string, Float32Array>
  adamV: Map<string, Float32Array>
}

/** What the training loop drives: a Trainer, or a data-parallel group fronted by its replica 0. */
export type StepTrainer = Pick<
  Trainer,
  | 'config'
  | 'step'
  | 'trainStepAsync'
  | 'evaluateAsync'
  | 'reconstructAsync'
  | 'inspectAsync'
  | 'sampleAsync'
  | 'saveCheckpointAsync'
>

/**
 * ε for rows [lo, hi) of one [n × latent] standard-normal draw for the whole global batch, so a
 * replica's share is exactly those rows of what a single replica draws.
 */
function batchNoise(n: number, latent: number, seed: number, lo: number, hi: number): tf.Tensor2D {
  const eps = tf.randomNormal([n, latent], 0, 1, 'float32', seed) as tf.Tensor2D
  return lo === 0 && hi === n ? eps : tf.slice(eps, [lo, 0], [hi - lo, latent])
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * A VAE (its VaeModel, whose weights it trains in place) and its optimizer. Every random draw of a
 * step (dropout, ε) is derived from (seed, step) and the image's place in the batch, so two trainers
 * with the same seed — or one resumed from a checkpoint — produce identical losses on the same
 * backend, and a data-parallel group of replicas (joinGroup) computes what one trainer computes on
 * the whole batch, up to float summation order.
 */
export class Trainer {
  /** The network being trained: inference passes run on it directly. */
  readonly model: VaeModel
  private readonly adam: Adam
  private readonly trainable: Map<string, tf.Variable>
  /** The trainable weights as Adam updates them; copied into the tfjs variables after each step. */
  private readonly weights: Map<string, Float32Array>
  private stepCount = 0
  private link: ReplicaLink | null = null

  private constructor(readonly config: TrainConfig) {
    validateTrainConfig(config)
    this.model = VaeModel.init(config.model, config.seed)
    this.trainable = new Map(
      this.layout.specs
        .filter((s) => s.trainable)
        .map((s) => [s.name, this.params.get(s.name) as tf.Variable]),
    )
    this.weights = new Map(
      [...this.trainable].map(([name, v]) => [name, (v.dataSync() as Float32Array).slice()]),
    )
    this.adam = new Adam(
      config.learningRate,
      new Map([...this.trainable].map(([name, v]) => [name, v.size])),
    )
  }

  /** A fresh model with seeded initial weights. */
  static init(config: TrainConfig, seed: number = config.seed): Trainer {
    return new Trainer({ ...config, seed })
  }

  static fromCheckpoint(data: CheckpointData): Trainer {
    const { header } = data
    return Trainer.fromState({
      config: header.config,
      step: header.step,
      adamIteration: header.adamIteration,
      params: data.params,
      adamM: data.adamM,
      adamV: data.adamV,
    })
  }

  /** A trainer in exactly the state another one exported (a replica starts from its group's). */
  static fromState(state: TrainerState): Trainer {
    const t = new Trainer(state.config)
    t.restore(state)
    return t
  }

  static load(file: string): Trainer {
    return Trainer.fromCheckpoint(readCheckpointFile(file))
  }

  get step(): number {
    return this.stepCount
  }

  get layout(): ModelLayout {
    return this.model.layout
  }

  private get params(): Params {
    return this.model.params
  }

  get imageBytes(): number {
    return this.model.imageBytes
  }

  /** Trainable values in one flat gradient, plus the three loss parts that travel with it. */
  get exchangeSize(): number {
    let n = 3
    for (const v of this.trainable.values()) n += v.size
    return n
  }

  /**
   * Makes this trainer one replica of a data-parallel group: from now on each trainStep takes the
   * link's contiguous share of the global batch it is given, and every replica must step together.
   */
  joinGroup(link: ReplicaLink): void {
    this.link = link.size > 1 ? link : null
  }

  leaveGroup(): void {
    this.link = null
  }

  /**
   * One optimisation step on a uint8 NHWC batch. In a replica group `batch` is the whole step's batch
   * (identical on every replica): this replica computes its rows' share of the loss and gradient,
   * the shares are summed through the group, and every replica applies the same Adam update.
   */
  trainStep(batch: Uint8Array): StepLoss {
    const link = this.link
    try {
      return readSync(this.stepReads(batch, link))
    } catch (error) {
      throw this.released(link, error)
    }
  }

  /** trainStep reading results asynchronously: the only way on webgpu, where reads cannot block. */
  async trainStepAsync(batch: Uint8Array): Promise<StepLoss> {
    const link = this.link
    try {
      return await readAsync(this.stepReads(batch, link))
    } catch (error) {
      throw this.released(link, error)
    }
  }

  /** The other replicas are (or soon will be) blocked waiting for this one: release them. */
  private released(link: ReplicaLink | null, error: unknown): unknown {
    if (link && !(error instanceof ReplicaGroupError)) link.abort(describeError(error))
    return error
  }

  private *stepReads(batch: Uint8Array, link: ReplicaLink | null): Reads<StepLoss> {
    const c = this.config
    const n = this.model.imageCount(batch)
    const replicas = link?.size ?? 1
    if (n < replicas) {
      throw new Error(`trainer: a batch of ${n} images cannot be shared by ${replicas} replicas`)
    }
    const index = link?.index ?? 0
    const lo = Math.floor((index * n) / replicas)
    const hi = Math.floor(((index + 1) * n) / replicas)
    const local = batch.subarray(lo * this.imageBytes, hi * this.imageBytes)
    const stepSeed = mixSeed(c.seed, this.stepCount, 0x57e9)
    const weight = klWeight(c.beta, c.klWarmupSteps, this.stepCount)
    const stats: NormStats[] = []
    const mode = (stream: number): ForwardMode => ({
      training: true,
      dropoutSeed: mixSeed(stepSeed, stream),
      stats,
      replicas: link ?? undefined,
      imageOffset: lo,
    })
    const names: string[] = []
    const computed = tf.tidy(() => {
      const x = this.model.imagesTensor(local)
      let parts: tf.Scalar[] = []
      const { value, grads } = tf.variableGrads(() => {
        const { mu, logVar } = encodeForward(x, this.params, this.layout, c.model, mode(1))
        const eps = batchNoise(n, c.model.latentDim, mixSeed(stepSeed, 2), lo, hi)
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D
        const out = decodeForward(z, this.params, this.layout, c.model, mode(3))
        const loss = vaeLoss(x, out, mu, logVar, c.rLossFactor, weight, n)
        parts = [tf.keep(loss.recon), tf.keep(loss.kl)]
        return loss.total
      }, [...this.trainable.values()])
      const losses = tf.stack([value, ...parts])
      tf.dispose(parts)
      const own: tf.Tensor[] = []
      for (const [name, v] of this.trainable) {
        const g = grads[v.name]
        if (!g) continue
        names.push(name)
        own.push(g)
      }
      return [losses, ...own]
    })
    try {
      const [losses, ...values] = yield computed
      const own = new Map(names.map((name, i) => [name, values[i] as Float32Array]))
      const summed = link
        ? this.sumOverGroup(link, own, losses as Float32Array)
        : { grads: own, losses: losses as Float32Array }
      this.adam.apply(this.weights, summed.grads)
      tf.tidy(() => {
        this.writeWeights()
        this.updateMovingStats(stats, n)
      })
      const [total, recon, kl] = summed.losses
      this.stepCount++
      return { total: total as number, recon: recon as number, kl: kl as number }
    } finally {
      tf.dispose(computed)
      for (const s of stats) tf.dispose([s.mean, s.variance])
    }
  }

  /** Copies the updated weights into the tfjs variables the next forward pass reads. */
  private writeWeights(): void {
    for (const [name, v] of this.trainable) {
      // A copy: some backends (cpu) keep the array they are given rather than copying it.
      tf.tidy(() => v.assign(tf.tensor((this.weights.get(name) as Float32Array).slice(), v.shape)))
    }
  }

  /**
   * Sums this replica's gradients and loss parts with the other replicas' through shared memory. A
   * missing gradient counts as zeros, so every replica exchanges the same layout.
   */
  private sumOverGroup(
    link: ReplicaLink,
    grads: Map<string, Float32Array>,
    losses: Float32Array,
  ): { grads: Map<string, Float32Array>; losses: Float32Array } {
    const flat = new Float32Array(this.exchangeSize)
    let offset = 0
    for (const [name, v] of this.trainable) {
      const g = grads.get(name)
      if (g) flat.set(g, offset)
      offset += v.size
    }
    flat.set(losses, offset)
    const sum = link.sumFloat32(flat)
    const out = new Map<string, Float32Array>()
    offset = 0
    for (const [name, v] of this.trainable) {
      out.set(name, sum.subarray(offset, offset + v.size))
      offset += v.size
    }
    return { grads: out, losses: sum.subarray(offset, offset + 3) }
  }

  /** Keras' moving averages; `images` is the global batch the statistics were pooled over. */
  private updateMovingStats(stats: NormStats[], images: number): void {
    for (const s of stats) {
      const mean = this.params.get(s.movingMean) as tf.Variable
      const variance = this.params.get(s.movingVariance) as tf.Variable
      const unbiased = unbiasedVarianceFactor(images * s.pixelsPerImage)
      mean.assign(tf.add(tf.mul(mean, BN_MOMENTUM), tf.mul(s.mean, 1 - BN_MOMENTUM)))
      variance.assign(
        tf.add(tf.mul(variance, BN_MOMENTUM), tf.mul(s.variance, (1 - BN_MOMENTUM) * unbiased)),
      )
    }
  }

  /** Inference-mode loss (moving statistics, no dropout, z = μ) and the summed pixel error. */
  evaluate(batch: Uint8Array): Evaluation {
    return readSync(this.evaluateReads(batch))
  }

  evaluateAsync(batch: Uint8Array): Promise<Evaluation> {
    return readAsync(this.evaluateReads(batch))
  }

  private *evaluateReads(batch: Uint8Array): Reads<Evaluation> {
    const c = this.config
    const values = tf.tidy(() => {
      const x = this.model.imagesTensor(batch)
      const mode = { training: false }
      const { mu, logVar } = encodeForward(x, this.params, this.layout, c.model, mode)
      const out = decodeForward(mu, this.params, this.layout, c.model, mode)
      const loss = vaeLoss(x, out, mu, logVar, c.rLossFactor, c.beta)
      return tf.stack([loss.total, loss.recon, loss.kl, tf.sum(tf.squaredDifference(x, out))])
    })
    let read: Float32Array[]
    try {
      read = yield [values]
    } finally {
      values.dispose()
    }
    const [total, recon, kl, sse] = read[0] as Float32Array
    return {
      total: total as number,
      recon: recon as number,
      kl: kl as number,
      sumSquaredError: sse as number,
      pixels: batch.length,
    }
  }

  /** μ and log σ² for uint8 NHWC images, each [n × latentDim] row-major. */
  encode(images: Uint8Array): Encoded {
    return this.model.encode(images)
  }

  encodeAsync(images: Uint8Array): Promise<Encoded> {
    return this.model.encodeAsync(images)
  }

  /** Latents [n × latentDim] → RGBA frames, n·size·size·4 bytes. */
  decode(latents: Float32Array): Uint8ClampedArray {
    return this.model.decode(latents)
  }

  decodeAsync(latents: Float32Array): Promise<Uint8ClampedArray> {
    return this.model.decodeAsync(latents)
  }

  /** n faces from the prior, z ~ N(0, temperature²). */
  sample(n: number, seed: number, temperature = 1): Uint8ClampedArray {
    return this.model.sample(n, seed, temperature)
  }

  sampleAsync(n: number, seed: number, temperature = 1): Promise<Uint8ClampedArray> {
    return this.model.sampleAsync(n, seed, temperature)
  }

  /** Images through μ and back, RGBA. */
  reconstruct(images: Uint8Array): Uint8ClampedArray {
    return this.model.reconstruct(images)
  }

  reconstructAsync(images: Uint8Array): Promise<Uint8ClampedArray> {
    return this.model.reconstructAsync(images)
  }

  /** What the end-of-run quality figures need: μ of `images`, their reconstructions (RGBA). */
  inspect(images: Uint8Array): Inspection {
    return this.model.inspect(images)
  }

  inspectAsync(images: Uint8Array): Promise<Inspection> {
    return this.model.inspectAsync(images)
  }

  /** The full training state as plain arrays: weights, moving statistics, Adam, step. */
  exportState(): TrainerState {
    return readSync(this.stateReads())
  }

  private *stateReads(): Reads<TrainerState> {
    const params = yield* this.model.weightsReads()
    const adam = this.adam.getState()
    return {
      config: this.config,
      step: this.stepCount,
      adamIteration: adam.iteration,
      params,
      adamM: adam.m,
      adamV: adam.v,
    }
  }

  /**
   * A 32-bit digest of the exact bits of the training state (weights, moving statistics, Adam
   * moments and iteration, step): replicas that stay in lockstep have equal checksums.
   */
  stateChecksum(): number {
    const state = this.exportState()
    let h = mixSeed(state.step, state.adamIteration)
    for (const map of [state.params, state.adamM, state.adamV]) {
      for (const values of map.values()) {
        const words = new Uint32Array(values.buffer, values.byteOffset, values.length)
        for (let i = 0; i < words.length; i++) h = Math.imul(h ^ (words[i] as number), 0x01000193)
        h = mixSeed(h, words.length)
      }
    }
    return h >>> 0
  }

  /** Writes the full training state (atomically) to `file`. */
  saveCheckpoint(file: string): void {
    this.writeState(file, this.exportState())
  }

  async saveCheckpointAsync(file: string): Promise<void> {
    this.writeState(file, await readAsync(this.stateReads()))
  }

  private writeState(file: string, state: TrainerState): void {
    const shaped = (m: Map<string, Float32Array>, shapes: Map<string, number[]>) =>
      new Map([...m].map(([name, values]) => [name, { shape: shapes.get(name) ?? [], values }]))
    const specShapes = new Map(this.layout.specs.map((s) => [s.name, s.shape]))
    const trainableShapes = new Map([...this.trainable].map(([name, v]) => [name, v.shape]))
    writeCheckpointFile(
      file,
      {
        config: this.config,
        step: state.step,
        rng: { seed: this.config.seed, step: state.step },
        adamIteration: state.adamIteration,
      },
      shaped(state.params, specShapes),
      shaped(state.adamM, trainableShapes),
      shaped(state.adamV, trainableShapes),
    )
  }

  private restore(state: TrainerState): void {
    this.model.setWeights(state.params)
    for (const [name, w] of this.weights) w.set(state.params.get(name) as Float32Array)
    this.adam.setState({ iteration: state.adamIteration, m: state.adamM, v: state.adamV })
    this.stepCount = state.step
  }

  dispose(): void {
    this.model.dispose()
  }
}
