import { tf } from '../tf'
import { simdBytesToUnit } from '../kernels/simd/pixelKernel'
import type { ModelConfig } from './config'
import {
  checkedWeights,
  createParams,
  disposeParams,
  modelLayout,
  paramsFromValues,
  type ModelLayout,
  type Params,
} from './params'
import { bytesToUnit, unitToRgba } from './pixels'
import { readAsync, type Reads, readSync } from './reads'
import { decodeForward, encodeForward } from './vae'

/** μ and log σ², each [n × latentDim] row-major. */
export interface Encoded {
  mu: Float32Array
  logVar: Float32Array
}

/** μ of some images and their reconstructions from it (RGBA). */
export interface Inspection {
  mu: Float32Array
  reconstructions: Uint8ClampedArray
}

/** Largest batch pushed through the network at once outside training. */
const INFER_BATCH = 64

/**
 * The VAE's weights (and batch-norm moving statistics) with its inference passes: encode, decode,
 * sample. It holds no optimiser state, so it is what inference loads; a Trainer composes one and
 * trains its weights in place. Every pass has a blocking form and an awaited one (webgpu in Node
 * can only await its reads).
 */
export class VaeModel {
  private constructor(
    readonly config: ModelConfig,
    readonly layout: ModelLayout,
    /** The tfjs variables, by parameter name; a Trainer assigns them after each step. */
    readonly params: Params,
  ) {}

  /** A fresh model with seeded initial weights. */
  static init(config: ModelConfig, seed: number): VaeModel {
    const layout = modelLayout(config)
    return new VaeModel(config, layout, createParams(layout, seed))
  }

  /** A model holding copies of `weights` (every parameter by name, as a checkpoint stores them). */
  static fromWeights(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>): VaeModel {
    const layout = modelLayout(config)
    const values = checkedWeights(layout, weights)
    // Copies: some backends (cpu) keep the array they are given rather than copying it.
    return new VaeModel(
      config,
      layout,
      paramsFromValues(layout, (_, i) => (values[i] as Float32Array).slice()),
    )
  }

  /** Bytes of one uint8 RGB image. */
  get imageBytes(): number {
    const s = this.config.size
    return s * s * 3
  }

  /** How many whole images `bytes` holds; throws when it is not a positive whole number. */
  imageCount(bytes: Uint8Array): number {
    const s = this.config.size
    const n = bytes.length / this.imageBytes
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(
        `model: batch of ${bytes.length} bytes is not a whole number of ${s}x${s}x3 images`,
      )
    }
    return n
  }

  /** uint8 NHWC images as a [n, size, size, 3] tensor of values in [0, 1]. */
  imagesTensor(bytes: Uint8Array): tf.Tensor4D {
    const s = this.config.size
    const unit = (simdBytesToUnit() ?? bytesToUnit)(bytes)
    return tf.tensor4d(unit, [this.imageCount(bytes), s, s, 3])
  }

  /** μ and log σ² for uint8 NHWC images, each [n × latentDim] row-major. */
  encode(images: Uint8Array): Encoded {
    return readSync(this.encodeReads(images))
  }

  encodeAsync(images: Uint8Array): Promise<Encoded> {
    return readAsync(this.encodeReads(images))
  }

  private *encodeReads(images: Uint8Array): Reads<Encoded> {
    const d = this.config.latentDim
    const n = images.length / this.imageBytes
    const mu = new Float32Array(n * d)
    const logVar = new Float32Array(n * d)
    for (let start = 0; start < n; start += INFER_BATCH) {
      const count = Math.min(INFER_BATCH, n - start)
      const slice = images.subarray(start * this.imageBytes, (start + count) * this.imageBytes)
      const pair = tf.tidy(() => {
        const r = encodeForward(this.imagesTensor(slice), this.params, this.layout, this.config, {
          training: false,
        })
        return [r.mu, r.logVar]
      }) as [tf.Tensor, tf.Tensor]
      try {
        const [m, l] = yield pair
        mu.set(m as Float32Array, start * d)
        logVar.set(l as Float32Array, start * d)
      } finally {
        tf.dispose(pair)
      }
    }
    return { mu, logVar }
  }

  /** Latents [n × latentDim] → RGBA frames, n·size·size·4 bytes. */
  decode(latents: Float32Array): Uint8ClampedArray {
    return readSync(this.decodeReads(latents))
  }

  decodeAsync(latents: Float32Array): Promise<Uint8ClampedArray> {
    return readAsync(this.decodeReads(latents))
  }

  private *decodeReads(latents: Float32Array): Reads<Uint8ClampedArray> {
    const d = this.config.latentDim
    const n = latents.length / d
    if (!Number.isInteger(n)) {
      throw new Error(`decode: ${latents.length} values is not a multiple of latentDim ${d}`)
    }
    const s = this.config.size
    const out = new Uint8ClampedArray(n * s * s * 4)
    for (let start = 0; start < n; start += INFER_BATCH) {
      const count = Math.min(INFER_BATCH, n - start)
      const pixels = tf.tidy(() => {
        const z = tf.tensor2d(latents.subarray(start * d, (start + count) * d), [count, d])
        return decodeForward(z, this.params, this.layout, this.config, { training: false })
      })
      try {
        const [values] = yield [pixels]
        out.set(unitToRgba(values as Float32Array), start * s * s * 4)
      } finally {
        pixels.dispose()
      }
    }
    return out
  }

  /** n faces from the prior, z ~ N(0, temperature²). */
  sample(n: number, seed: number, temperature = 1): Uint8ClampedArray {
    return readSync(this.sampleReads(n, seed, temperature))
  }

  sampleAsync(n: number, seed: number, temperature = 1): Promise<Uint8ClampedArray> {
    return readAsync(this.sampleReads(n, seed, temperature))
  }

  private *sampleReads(n: number, seed: number, temperature: number): Reads<Uint8ClampedArray> {
    const z = tf.tidy(() =>
      tf.randomNormal([n, this.config.latentDim], 0, temperature, 'float32', seed),
    )
    let latents: Float32Array
    try {
      ;[latents] = (yield [z]) as [Float32Array]
    } finally {
      z.dispose()
    }
    return yield* this.decodeReads(latents)
  }

  /** Images through μ and back, RGBA. */
  reconstruct(images: Uint8Array): Uint8ClampedArray {
    return this.inspect(images).reconstructions
  }

  async reconstructAsync(images: Uint8Array): Promise<Uint8ClampedArray> {
    return (await this.inspectAsync(images)).reconstructions
  }

  /** What the end-of-run quality figures need: μ of `images`, their reconstructions (RGBA). */
  inspect(images: Uint8Array): Inspection {
    return readSync(this.inspectReads(images))
  }

  inspectAsync(images: Uint8Array): Promise<Inspection> {
    return readAsync(this.inspectReads(images))
  }

  private *inspectReads(images: Uint8Array): Reads<Inspection> {
    const { mu } = yield* this.encodeReads(images)
    return { mu, reconstructions: yield* this.decodeReads(mu) }
  }

  /** Every parameter's values (weights and moving statistics) as fresh arrays, by name. */
  exportWeights(): Map<string, Float32Array> {
    return readSync(this.weightsReads())
  }

  *weightsReads(): Reads<Map<string, Float32Array>> {
    const values = yield this.layout.specs.map((s) => this.params.get(s.name) as tf.Variable)
    return new Map(this.layout.specs.map((s, i) => [s.name, values[i] as Float32Array]))
  }

  /** Replaces every parameter's values; a bad source (missing or mis-sized) changes nothing. */
  setWeights(weights: ReadonlyMap<string, Float32Array>): void {
    const values = checkedWeights(this.layout, weights)
    this.layout.specs.forEach((spec, i) => {
      const v = this.params.get(spec.name) as tf.Variable
      tf.tidy(() => v.assign(tf.tensor(values[i] as Float32Array, v.shape)))
    })
  }

  dispose(): void {
    disposeParams(this.params)
  }
}
