import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { tf } from '../../src/main/engine/tf'
import { configureWasm } from '../../src/main/engine/backend/wasmInit'
import { simdDropoutFill } from '../../src/main/engine/kernels/simd/dropoutMask'
import { simdBytesToUnit } from '../../src/main/engine/kernels/simd/pixelKernel'
import { bytesToUnit } from '../../src/main/engine/model/pixels'
import {
  batchDropoutMask,
  dropoutMask,
  fillDropoutMask,
  mixSeed,
  uniformArray,
} from '../../src/main/engine/model/rng'
import { relError } from '../support/relError'

type Shape4 = [number, number, number, number]

interface Case {
  name: string
  x: Shape4
  filter: Shape4
  stride: number
  pad: 'same' | 'valid'
}

const cases: Case[] = [
  { name: '16x16 3→8 s2 same', x: [2, 16, 16, 3], filter: [3, 3, 3, 8], stride: 2, pad: 'same' },
  { name: '15x13 4→5 s2 same', x: [3, 15, 13, 4], filter: [3, 3, 4, 5], stride: 2, pad: 'same' },
  { name: '8x8 16→32 s1 same', x: [2, 8, 8, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { name: '9x9 5→7 s2 valid', x: [2, 9, 9, 5], filter: [3, 3, 5, 7], stride: 2, pad: 'valid' },
  { name: '12x10 6→4 k5x3 s1', x: [1, 12, 10, 6], filter: [5, 3, 6, 4], stride: 1, pad: 'same' },
  { name: '11x9 8→4 s2 same', x: [2, 11, 9, 8], filter: [3, 3, 8, 4], stride: 2, pad: 'same' },
  {
    name: '16x16 32→64 s2 same',
    x: [2, 16, 16, 32],
    filter: [3, 3, 32, 64],
    stride: 2,
    pad: 'same',
  },
]

/** Runs both gradients of conv2d and the transposed convolution on one backend. */
async function gradients(backend: string, c: Case, seed: number) {
  await tf.setBackend(backend)
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1)
  const x = tf.tensor4d(uniformArray(size(c.x), seed), c.x)
  const filter = tf.tensor4d(uniformArray(size(c.filter), seed + 1), c.filter)
  const y = tf.conv2d(x, filter, c.stride, c.pad)
  const dy = tf.tensor(uniformArray(y.size, seed + 2), y.shape)
  const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad),
  )([x, filter], dy)
  // The transposed convolution's forward pass is Conv2DBackpropInput with dy as its input.
  const t = tf.conv2dTranspose(dy as tf.Tensor4D, filter, c.x, c.stride, c.pad)
  const out = {
    dx: (await gx!.data()) as Float32Array,
    dFilter: (await gf!.data()) as Float32Array,
    transposed: (await t.data()) as Float32Array,
  }
  tf.dispose([x, filter, y, dy, gx!, gf!, t])
  return out
}

// The fused multiply-add kernels, the SIMD kernels around XNNPACK, and the JS loops.
describe.each([
  { simd: '1', fma: '1' },
  { simd: '1', fma: '0' },
  { simd: '0', fma: '0' },
])(
  'engine wasm convolution kernels (FACE_STUDIO_SIMD=$simd FACE_STUDIO_FMA=$fma) match the cpu backend',
  ({ simd, fma }) => {
    beforeAll(async () => {
      configureWasm()
      await tf.setBackend('wasm')
      await tf.ready()
    })
    beforeEach(() => {
      process.env.FACE_STUDIO_SIMD = simd
      process.env.FACE_STUDIO_FMA = fma
    })
    afterEach(() => {
      delete process.env.FACE_STUDIO_SIMD
      delete process.env.FACE_STUDIO_FMA
    })

    it.each(cases)(
      '$name',
      async (c) => {
        const seed = c.x.reduce((a, b) => a * 31 + b, 7)
        const ref = await gradients('cpu', c, seed)
        const got = await gradients('wasm', c, seed)
        expect(got.dFilter.length).toBe(ref.dFilter.length)
        expect(got.dx.length).toBe(ref.dx.length)
        expect(relError(got.dFilter, ref.dFilter)).toBeLessThan(1e-4)
        expect(relError(got.dx, ref.dx)).toBeLessThan(1e-4)
        expect(relError(got.transposed, ref.transposed)).toBeLessThan(1e-4)
      },
      60_000,
    )

    // outC a multiple of 16 takes the fused multiply-add convolution (FACE_STUDIO_FMA=0: the direct
    // SIMD one for few input channels, else stock); 24 output channels take the stock kernel.
    it.each([
      { x: [2, 16, 16, 3], filter: [3, 3, 3, 32], stride: 2, pad: 'same' },
      { x: [1, 13, 11, 3], filter: [3, 3, 3, 16], stride: 2, pad: 'same' },
      { x: [2, 9, 10, 1], filter: [3, 3, 1, 48], stride: 1, pad: 'same' },
      { x: [1, 12, 9, 4], filter: [5, 3, 4, 16], stride: 2, pad: 'valid' },
      { x: [1, 8, 8, 5], filter: [3, 3, 5, 16], stride: 2, pad: 'same' },
      { x: [2, 16, 16, 32], filter: [3, 3, 32, 64], stride: 2, pad: 'same' },
      { x: [1, 7, 9, 16], filter: [3, 3, 16, 16], stride: 1, pad: 'same' },
      { x: [3, 9, 9, 64], filter: [3, 3, 64, 32], stride: 2, pad: 'valid' },
      { x: [1, 6, 6, 8], filter: [1, 1, 8, 16], stride: 1, pad: 'valid' },
      { x: [1, 6, 6, 8], filter: [3, 3, 8, 24], stride: 1, pad: 'same' },
    ] as const)('conv2d and fused conv2d forward, x $x filter $filter', async (c) => {
      const run = async (backend: string) => {
        await tf.setBackend(backend)
        const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1)
        const x = tf.tensor4d(uniformArray(size(c.x), 11), [...c.x])
        const filter = tf.tensor4d(uniformArray(size(c.filter), 12), [...c.filter])
        const bias = tf.tensor1d(uniformArray(c.filter[3], 13))
        const plain = tf.conv2d(x, filter, c.stride, c.pad)
        const fused = tf.fused.conv2d({
          x,
          filter,
          strides: c.stride,
          pad: c.pad,
          bias,
          activation: 'leakyrelu',
          leakyreluAlpha: 0.3,
        })
        const out = {
          plain: (await plain.data()) as Float32Array,
          fused: (await fused.data()) as Float32Array,
        }
        tf.dispose([x, filter, bias, plain, fused])
        return out
      }
      const ref = await run('cpu')
      const got = await run('wasm')
      expect(got.plain.length).toBe(ref.plain.length)
      expect(relError(got.plain, ref.plain)).toBeLessThan(1e-4)
      expect(relError(got.fused, ref.fused)).toBeLessThan(1e-4)
    })

    it.each([
      [false, false, [1, 7, 5], [1, 5, 9]],
      [true, false, [13, 6], [13, 4]],
      [false, true, [3, 11], [8, 11]],
      [true, true, [1, 10, 4], [1, 3, 10]],
      [true, false, [2, 5, 3], [2, 5, 4]],
      [false, false, [1, 37, 300], [1, 300, 21]],
      [true, false, [600, 33], [600, 40]],
      [false, true, [64, 200], [1024, 200]],
      [false, true, [50, 4], [3, 4]],
      [false, false, [5, 300], [300, 18]],
      [false, false, [4, 0], [0, 3]],
    ] as const)('matMul transposeA=%s transposeB=%s', async (ta, tb, sa, sb) => {
      const run = async (backend: string) => {
        await tf.setBackend(backend)
        const size = (s: readonly number[]) => s.reduce((x, y) => x * y, 1)
        const a = tf.tensor(uniformArray(size(sa), 5), [...sa])
        const b = tf.tensor(uniformArray(size(sb), 6), [...sb])
        const c = tf.matMul(a, b, ta, tb)
        const out = { shape: c.shape, values: (await c.data()) as Float32Array }
        tf.dispose([a, b, c])
        return out
      }
      const ref = await run('cpu')
      const got = await run('wasm')
      expect(got.shape).toEqual(ref.shape)
      expect(relError(got.values, ref.values)).toBeLessThan(1e-4)
    })

    it('frees its scratch memory', async () => {
      await tf.setBackend('wasm')
      const c = cases[0] as Case
      await gradients('wasm', c, 1)
      const before = tf.memory().numBytes
      const tensorsBefore = tf.memory().numTensors
      await gradients('wasm', c, 2)
      expect(tf.memory().numTensors).toBe(tensorsBefore)
      expect(tf.memory().numBytes).toBe(before)
    })
  },
)

describe('engine wasm Identity', () => {
  beforeAll(async () => {
    configureWasm()
    await tf.setBackend('wasm')
    await tf.ready()
  })

  it('clones by sharing the buffer, which lives until the last reference goes', async () => {
    await tf.setBackend('wasm')
    const backend = tf.backend()
    const ids = backend.numDataIds()
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3])
    const y = tf.clone(x)
    expect(backend.numDataIds()).toBe(ids + 1)
    x.dispose()
    expect(y.shape).toEqual([2, 3])
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6])
    y.dispose()
    expect(backend.numDataIds()).toBe(ids)
  })

  it('leaves no buffers behind after gradients (which clone what they save)', async () => {
    await tf.setBackend('wasm')
    const backend = tf.backend()
    const c = cases[5] as Case
    await gradients('wasm', c, 1)
    const ids = backend.numDataIds()
    const bytes = tf.memory().numBytes
    await gradients('wasm', c, 2)
    expect(backend.numDataIds()).toBe(ids)
    expect(tf.memory().numBytes).toBe(bytes)
  })

  it('copies, as the stock kernel does, with FACE_STUDIO_FUSED=0', async () => {
    await tf.setBackend('wasm')
    const backend = tf.backend()
    process.env.FACE_STUDIO_FUSED = '0'
    try {
      const ids = backend.numDataIds()
      const x = tf.tensor1d([7, 8])
      const y = tf.clone(x)
      expect(backend.numDataIds()).toBe(ids + 2)
      tf.dispose([x, y])
      expect(backend.numDataIds()).toBe(ids)
    } finally {
      delete process.env.FACE_STUDIO_FUSED
    }
  })
})

describe('dropoutMask', () => {
  it('keeps about 1−rate of the entries, scaled by 1/(1−rate), reproducibly', () => {
    const m = dropoutMask(100_000, 0.25, 9)
    const kept = m.filter((v) => v !== 0)
    expect(kept.length / m.length).toBeGreaterThan(0.74)
    expect(kept.length / m.length).toBeLessThan(0.76)
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true)
    expect(dropoutMask(1000, 0.25, 9)).toEqual(m.subarray(0, 1000))
    expect(dropoutMask(1000, 0.25, 10)).not.toEqual(m.subarray(0, 1000))
  })

  it('seeds each image of a batch on its own, so replicas on two halves draw the whole mask', () => {
    const whole = batchDropoutMask(6, 50, 0.25, 77, 3)
    const first = batchDropoutMask(2, 50, 0.25, 77, 3, 0)
    const rest = batchDropoutMask(4, 50, 0.25, 77, 3, 2)
    expect(Array.from(first)).toEqual(Array.from(whole.subarray(0, 100)))
    expect(Array.from(rest)).toEqual(Array.from(whole.subarray(100)))
    expect(Array.from(whole.subarray(250))).toEqual(
      Array.from(dropoutMask(50, 0.25, mixSeed(77, 3, 5))),
    )
    expect(Array.from(whole.subarray(0, 50))).not.toEqual(Array.from(whole.subarray(50, 100)))
    expect(Array.from(batchDropoutMask(6, 50, 0.25, 77, 4))).not.toEqual(Array.from(whole))
  })
})

describe('dropout masks in wasm SIMD', () => {
  it.each([
    [1, 0.25],
    [3, 0.25],
    [4, 0.5],
    [7, 0.25],
    [1001, 0.25],
    [65_536, 0.1],
    [4099, 0.999],
    [9, 0],
    [9, 1],
  ])('draws bit for bit the JS masks: %s entries at rate %s', (size, rate) => {
    const fill = simdDropoutFill()
    expect(fill).not.toBeNull()
    for (const seed of [0, 9, 0x9e3779b9, mixSeed(77, 3, 5)]) {
      // Written at an offset into a buffer with neighbours, which must stay untouched.
      const got = new Float32Array(size + 10).fill(-1)
      const want = new Float32Array(size + 10).fill(-1)
      fill!(got, 5, size, rate, seed)
      fillDropoutMask(want, 5, size, rate, seed)
      expect(Array.from(got)).toEqual(Array.from(want))
    }
  })

  it('is off with FACE_STUDIO_SIMD=0', () => {
    process.env.FACE_STUDIO_SIMD = '0'
    try {
      expect(simdDropoutFill()).toBeNull()
    } finally {
      delete process.env.FACE_STUDIO_SIMD
    }
  })
})

describe('image bytes to floats in wasm SIMD', () => {
  it('gives the floats of the JS loop for every byte value, at every length', () => {
    const toUnit = simdBytesToUnit()
    expect(toUnit).not.toBeNull()
    for (const n of [0, 1, 15, 16, 17, 256 * 3 + 5, 64 * 64 * 3 * 4]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + (i >> 8)) & 255)
      expect(Array.from(toUnit!(bytes))).toEqual(Array.from(bytesToUnit(bytes)))
    }
  })
})
