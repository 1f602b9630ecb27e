import { tf } from '../tf'
import { bottleneckSide, type ModelConfig } from './config'
import { mixSeed, Rng } from './rng'

/**
 * The VAE's weights as an ordered list of named variables. Initialised here in JS from a seeded
 * generator rather than by tfjs initialisers, so the same seed gives the same weights on every backend.
 */

export interface ParamSpec {
  name: string
  shape: number[]
  init: 'glorot' | 'zeros' | 'ones'
  /** Batch-norm moving statistics are state, not trained. */
  trainable: boolean
}

export interface LayerNames {
  kernel: string
  bias?: string
  bn?: { gamma: string; beta: string; mean: string; variance: string }
}

export interface ModelLayout {
  specs: ParamSpec[]
  encoderConvs: LayerNames[]
  mu: LayerNames
  logVar: LayerNames
  decoderDense: LayerNames
  decoderConvs: LayerNames[]
}

function bnSpecs(prefix: string, channels: number, specs: ParamSpec[]): LayerNames['bn'] {
  const names = {
    gamma: `${prefix}.gamma`,
    beta: `${prefix}.beta`,
    mean: `${prefix}.movingMean`,
    variance: `${prefix}.movingVariance`,
  }
  specs.push({ name: names.gamma, shape: [channels], init: 'ones', trainable: true })
  specs.push({ name: names.beta, shape: [channels], init: 'zeros', trainable: true })
  specs.push({ name: names.mean, shape: [channels], init: 'zeros', trainable: false })
  specs.push({ name: names.variance, shape: [channels], init: 'ones', trainable: false })
  return names
}

/**
 * Layer-by-layer parameter list. Convolutions followed by batch norm carry no bias: the norm's beta
 * absorbs it exactly, so it would be a wasted parameter and a wasted gradient.
 */
export function modelLayout(m: ModelConfig): ModelLayout {
  const specs: ParamSpec[] = []
  const encoderConvs: LayerNames[] = []
  let inC = 3
  m.encoderFilters.forEach((outC, i) => {
    const kernel = `encoder.conv${i}.kernel`
    specs.push({ name: kernel, shape: [3, 3, inC, outC], init: 'glorot', trainable: true })
    encoderConvs.push({ kernel, bn: bnSpecs(`encoder.bn${i}`, outC, specs) })
    inC = outC
  })
  const side = bottleneckSide(m)
  const flat = side * side * inC
  const dense = (prefix: string, inDim: number, outDim: number): LayerNames => {
    specs.push({
      name: `${prefix}.kernel`,
      shape: [inDim, outDim],
      init: 'glorot',
      trainable: true,
    })
    specs.push({ name: `${prefix}.bias`, shape: [outDim], init: 'zeros', trainable: true })
    return { kernel: `${prefix}.kernel`, bias: `${prefix}.bias` }
  }
  const mu = dense('encoder.mu', flat, m.latentDim)
  const logVar = dense('encoder.logVar', flat, m.latentDim)
  const decoderDense = dense('decoder.dense', m.latentDim, flat)
  const decoderConvs: LayerNames[] = []
  const outs = [...m.decoderFilters, 3]
  outs.forEach((outC, i) => {
    const kernel = `decoder.convT${i}.kernel`
    // Transposed-convolution kernels are [kh, kw, outC, inC].
    specs.push({ name: kernel, shape: [3, 3, outC, inC], init: 'glorot', trainable: true })
    const last = i === outs.length - 1
    if (last) {
      const bias = `decoder.convT${i}.bias`
      specs.push({ name: bias, shape: [outC], init: 'zeros', trainable: true })
      decoderConvs.push({ kernel, bias })
    } else {
      decoderConvs.push({ kernel, bn: bnSpecs(`decoder.bn${i}`, outC, specs) })
    }
    inC = outC
  })
  return { specs, encoderConvs, mu, logVar, decoderDense, decoderConvs }
}

/** Glorot-uniform limit, with Keras' fan computation for dense and convolution kernels. */
function glorotLimit(shape: number[]): number {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1)
  const fanIn = (shape[shape.length - 2] as number) * receptive
  const fanOut = (shape[shape.length - 1] as number) * receptive
  return Math.sqrt(6 / (fanIn + fanOut))
}

export function initialValues(spec: ParamSpec, seed: number, index: number): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1)
  const values = new Float32Array(size)
  if (spec.init === 'ones') values.fill(1)
  if (spec.init === 'glorot') {
    const limit = glorotLimit(spec.shape)
    const rng = new Rng(mixSeed(seed, 0x1417, index))
    for (let i = 0; i < size; i++) values[i] = (rng.next() * 2 - 1) * limit
  }
  return values
}

export type Params = Map<string, tf.Variable>

export function createParams(layout: ModelLayout, seed: number): Params {
  return paramsFromValues(layout, (spec, i) => initialValues(spec, seed, i))
}

/** Variables holding the given values, one per spec in layout order. */
export function paramsFromValues(
  layout: ModelLayout,
  valuesOf: (spec: ParamSpec, index: number) => Float32Array,
): Params {
  const params: Params = new Map()
  layout.specs.forEach((spec, i) => {
    const t = tf.tensor(valuesOf(spec, i), spec.shape, 'float32')
    // Unnamed: tfjs variable names are global, and two models may live in one process.
    params.set(spec.name, tf.variable(t, spec.trainable))
    t.dispose()
  })
  return params
}

/**
 * Each spec's values from `weights` (a checkpoint's or another model's), checked in full before
 * anything is written so that a bad source leaves a model as it was.
 */
export function checkedWeights(
  layout: ModelLayout,
  weights: ReadonlyMap<string, Float32Array>,
): Float32Array[] {
  return layout.specs.map((spec) => {
    const values = weights.get(spec.name)
    if (!values || values.length !== spec.shape.reduce((a, b) => a * b, 1)) {
      throw new Error(`checkpoint: parameter ${spec.name} is missing or has the wrong size`)
    }
    return values
  })
}

export function param(params: Params, name: string): tf.Variable {
  const v = params.get(name)
  if (!v) throw new Error(`model: missing parameter ${name}`)
  return v
}

export function disposeParams(params: Params): void {
  for (const v of params.values()) v.dispose()
  params.clear()
}
