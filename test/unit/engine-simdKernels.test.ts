import { readFileSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { tf } from '../../src/main/engine/tf'
import { configureWasm } from '../../src/main/engine/backend/wasmInit'
import { assembleKernel } from '../../scripts/build-wasm-kernels'
import { SIMD_MODULES, simdWasmPath } from '../../src/main/engine/kernels/simd/moduleFiles'
import {
  backendMemory,
  simdFailure,
  simdKernels,
  type SimdKernels,
} from '../../src/main/engine/kernels/simd/simdKernels'
import { affineLeaky, leakyMask, leakyMaskGrad } from '../../src/main/engine/kernels/activationMath'
import {
  accumulateGradSums,
  accumulateMoments,
  gradInput,
  normalize,
  splitDoubles,
} from '../../src/main/engine/kernels/batchNormMath'
import {
  col2im,
  type ConvGeometry,
  im2colTransposed,
  patchCols,
  patchRows,
} from '../../src/main/engine/kernels/im2col'
import { uniformArray } from '../../src/main/engine/model/rng'
import { relError } from '../support/relError'

describe('wasm SIMD kernel binaries', () => {
  it.each(SIMD_MODULES)(
    'resources/wasm/%s.wasm is the assembly of its .wat source',
    async (name) => {
      const fresh = await assembleKernel(name)
      const committed = readFileSync(simdWasmPath(name))
      expect(fresh.length).toBeGreaterThan(100)
      expect(Buffer.from(fresh).equals(committed), 'run npm run build:kernels').toBe(true)
    },
  )
})

describe('wasm SIMD kernels on the tfjs wasm heap', () => {
  let backend: BackendWasm
  let k: SimdKernels
  /** Tensors of this test, freed after it. */
  let owned: tf.Tensor[] = []

  beforeAll(async () => {
    configureWasm()
    await tf.setBackend('wasm')
    await tf.ready()
    backend = tf.backend() as BackendWasm
    const kernels = simdKernels(backend)
    expect(kernels, simdFailure()).not.toBeNull()
    k = kernels as SimdKernels
  })
  afterEach(() => {
    delete process.env.FACE_STUDIO_SIMD
    tf.dispose(owned)
    owned = []
  })

  const input = (values: Float32Array) => {
    const t = tf.tensor1d(values)
    owned.push(t)
    return t
  }
  /** A heap buffer for a kernel to write (a test-only use of a tensor as scratch). */
  const output = (n: number) => {
    const t = tf.fill([n], Number.NaN)
    owned.push(t)
    return t
  }
  const read = (t: tf.Tensor) => t.dataSync() as Float32Array
  const p = (t: tf.Tensor) => k.ptr(t)

  it("instantiates on the backend's own memory, once, and switches off with FACE_STUDIO_SIMD=0", () => {
    const memory = backendMemory(backend)
    expect(memory?.buffer).toBe((backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer)
    expect(simdKernels(backend)).toBe(k)
    process.env.FACE_STUDIO_SIMD = '0'
    expect(simdKernels(backend)).toBeNull()
    delete process.env.FACE_STUDIO_SIMD
    expect(simdKernels(backend)).toBe(k)
  })

  it('loads the fused multiply-add convolution and routes encoder layers through it', async () => {
    // Node 22 and Electron's Chromium both have relaxed SIMD, so its absence here is a failure.
    expect(k.gemm, simdFailure()).not.toBeNull()
    const real = k.gemm!
    let calls = 0
    k.gemm = {
      ...real,
      conv: (...args) => {
        calls++
        real.conv(...args)
      },
    }
    try {
      const x = tf.tensor4d(uniformArray(2 * 16 * 16 * 32, 4), [2, 16, 16, 32])
      const filter = tf.tensor4d(uniformArray(9 * 32 * 64, 5), [3, 3, 32, 64])
      owned.push(x, filter)
      const y = tf.conv2d(x, filter, 2, 'same')
      owned.push(y)
      expect(calls).toBe(1)
      process.env.FACE_STUDIO_FMA = '0'
      const stock = tf.conv2d(x, filter, 2, 'same')
      owned.push(stock)
      expect(calls).toBe(1)
      expect(relError(read(y), read(stock))).toBeLessThan(1e-5)
    } finally {
      delete process.env.FACE_STUDIO_FMA
      k.gemm = real
    }
  })

  it('keeps working in place after the heap grows', () => {
    const memory = backendMemory(backend)!
    const before = memory.buffer.byteLength
    // More floats than the heap now holds bytes: the allocation must grow the memory.
    const big = output(before / 4 + (1 << 20))
    expect(memory.buffer.byteLength).toBeGreaterThan(before)
    expect(backendMemory(backend)).toBe(memory)
    const n = 1003
    const x = input(uniformArray(n, 3))
    const out = output(n)
    k.activation.leaky(p(x), p(out), n, 0.2)
    const want = new Float32Array(n)
    leakyMask(read(x), new Float32Array(0), 0.2, want)
    expect(relError(read(out), want)).toBeLessThan(1e-6)
    // The far end of the grown heap is reachable too.
    const tail = big.size - n
    k.activation.leaky(p(x), p(big) + 4 * tail, n, 0.2)
    expect(relError(read(big).subarray(tail), want)).toBeLessThan(1e-6)
  })

  it.each([1, 7, 64, 1001])('LeakyReLU (× mask) forward and gradient on %s floats', (n) => {
    const xs = uniformArray(n, n, -1, 1)
    const masks = uniformArray(n, n + 1, 0, 2)
    const dys = uniformArray(n, n + 2)
    const [x, mask, dy] = [input(xs), input(masks), input(dys)]
    const empty = new Float32Array(0)
    const check = (run: (out: number) => void, js: (out: Float32Array) => void) => {
      const out = output(n)
      run(p(out))
      const want = new Float32Array(n)
      js(want)
      expect(relError(read(out), want)).toBeLessThan(1e-6)
    }
    const a = 0.3
    check(
      (o) => k.activation.leaky(p(x), o, n, a),
      (w) => leakyMask(xs, empty, a, w),
    )
    check(
      (o) => k.activation.leakyMask(p(x), p(mask), o, n, a),
      (w) => leakyMask(xs, masks, a, w),
    )
    check(
      (o) => k.activation.leakyGrad(p(x), p(dy), o, n, a),
      (w) => leakyMaskGrad(xs, empty, dys, a, w),
    )
    check(
      (o) => k.activation.leakyMaskGrad(p(x), p(mask), p(dy), o, n, a),
      (w) => leakyMaskGrad(xs, masks, dys, a, w),
    )
  })

  it.each([
    [1, 4],
    [63, 12],
    [150, 64],
  ])('batch norm kernels on %s rows × %s channels', (rows, c) => {
    const n = rows * c
    // Offset means and different spreads per channel, as after a convolution.
    const xs = uniformArray(n, n, -1, 1).map((v, i) => v * (1 + (i % c)) + 0.5 * (i % c))
    const dys = uniformArray(n, n + 1)
    const stats = uniformArray(6 * c, n + 2, 0.5, 1.5)
    const [x, dy] = [input(xs), input(dys)]
    const coefOf = (rowsOf: number) => {
      const values = stats.subarray(0, rowsOf * c)
      return { values, t: input(values) }
    }

    const sums = (run: (acc: number, out: number) => void, js: (a: Float64Array) => void) => {
      const out = output(4 * c)
      const acc = output(4 * c)
      run(p(acc), p(out))
      const whole = new Float64Array(2 * c)
      js(whole)
      const want = new Float32Array(4 * c)
      splitDoubles(whole, want)
      // Heads carry the float64 sums; the tails (their remainders) only add precision.
      expect(relError(read(out).subarray(0, 2 * c), want.subarray(0, 2 * c))).toBeLessThan(1e-6)
    }
    sums(
      (acc, out) => k.batchNorm.bnMoments(p(x), rows, c, acc, out),
      (a) => accumulateMoments(xs, c, a.subarray(0, c), a.subarray(c)),
    )
    const c2 = coefOf(2)
    sums(
      (acc, out) => k.batchNorm.bnGradSums(p(x), p(dy), rows, c, p(c2.t), acc, out),
      (a) => accumulateGradSums(xs, dys, c2.values, a.subarray(0, c), a.subarray(c)),
    )

    const same = (run: (out: number) => void, js: (out: Float32Array) => void) => {
      const out = output(n)
      run(p(out))
      const want = new Float32Array(n)
      js(want)
      expect(relError(read(out), want)).toBeLessThan(1e-6)
    }
    const c3 = coefOf(3)
    same(
      (o) => k.batchNorm.bnNormalize(p(x), o, rows, c, p(c3.t)),
      (w) => normalize(xs, c3.values, w),
    )
    const c4 = coefOf(4)
    same(
      (o) => k.batchNorm.bnGradInput(p(x), p(dy), o, rows, c, p(c4.t)),
      (w) => gradInput(xs, dys, c4.values, w),
    )
    same(
      (o) => k.activation.affineLeaky(p(x), o, rows, c, p(c2.t), 0.3),
      (w) => affineLeaky(xs, c2.values, 0.3, w),
    )
  })

  it.each([
    [5, 3],
    [7, 1],
    [4, 6],
  ])('affine + LeakyReLU on %s rows × %s channels (not in fours)', (rows, c) => {
    const n = rows * c
    const xs = uniformArray(n, n + 7, -1, 1)
    const coef = uniformArray(2 * c, n + 8, -1, 1)
    const x = input(xs)
    const coefT = input(coef)
    const out = output(n)
    k.activation.affineLeakyAny(p(x), p(out), rows, c, p(coefT), 0.3)
    const want = new Float32Array(n)
    affineLeaky(xs, coef, 0.3, want)
    expect(relError(read(out), want)).toBeLessThan(1e-6)
  })

  it.each([
    [geom(2, 9, 8, 3, 2, 1, 1), 32, true],
    [geom(1, 7, 6, 1, 1, 1, 1), 16, false],
    [geom(1, 10, 10, 4, 2, 0, 0), 48, true],
  ] as const)('direct convolution %#: with bias and LeakyReLU, or neither', (g, outC, leaky) => {
    const inSize = g.batch * g.inH * g.inW * g.inC
    const wSize = 9 * g.inC * outC
    const xs = uniformArray(inSize, inSize)
    const ws = uniformArray(wSize, wSize)
    const bs = uniformArray(outC, outC)
    const out = output(g.batch * g.outH * g.outW * outC)
    const geometry = [g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, outC, 3, 3]
    const pads = [g.strideH, g.strideW, g.padTop, g.padLeft]
    const act = [leaky ? 1 : 0, 0.3]
    k.conv.convDirect(
      p(input(xs)),
      p(input(ws)),
      leaky ? p(input(bs)) : 0,
      p(out),
      ...geometry,
      ...pads,
      ...act,
    )
    // The reference: the same convolution on the cpu backend, padded explicitly.
    tf.setBackend('cpu')
    const want = tf.tidy(() => {
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [
        [0, 0],
        [g.padTop, Math.max(0, (g.outH - 1) * g.strideH + 3 - g.inH - g.padTop)],
        [g.padLeft, Math.max(0, (g.outW - 1) * g.strideW + 3 - g.inW - g.padLeft)],
        [0, 0],
      ]
      const x = tf.tensor4d(xs, [g.batch, g.inH, g.inW, g.inC])
      const w = tf.tensor4d(ws, [3, 3, g.inC, outC])
      const y = tf.conv2d(x, w, g.strideH, pad)
      return (leaky ? tf.leakyRelu(tf.add(y, tf.tensor1d(bs)), 0.3) : y).dataSync()
    })
    tf.setBackend('wasm')
    expect(relError(read(out), want)).toBeLessThan(1e-5)
  })

  const geometries: [string, ConvGeometry][] = [
    ['3×3 s2 same, 3 channels', geom(2, 9, 8, 3, 2, 1, 1)],
    ['3×3 s2 same, 8 channels, odd width', geom(1, 13, 11, 8, 2, 1, 1)],
    ['3×3 s2 same, 13 channels', geom(2, 7, 10, 13, 2, 0, 0)],
    ['3×3 s1 same, 4 channels', geom(1, 6, 9, 4, 1, 1, 1)],
    ['3×3 s2 valid, 32 channels', geom(1, 10, 10, 32, 2, 0, 0)],
  ]

  it.each(geometries)('im2colT and col2im, %s', (_name, g) => {
    const inSize = g.batch * g.inH * g.inW * g.inC
    const colSize = patchRows(g) * patchCols(g)
    const args = [g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.kH, g.kW]
    const more = [g.strideH, g.strideW, g.padTop, g.padLeft]
    const xs = uniformArray(inSize, inSize)
    const cols = uniformArray(colSize, colSize)

    const patchesT = output(colSize)
    k.im2col.im2colT(p(input(xs)), p(patchesT), ...args, ...more)
    const wantT = new Float32Array(colSize)
    im2colTransposed(xs, g, wantT)
    expect(Array.from(read(patchesT))).toEqual(Array.from(wantT))

    const dx = output(inSize)
    k.im2col.col2im(p(input(cols)), p(dx), ...args, ...more)
    const wantDx = new Float32Array(inSize)
    col2im(cols, g, wantDx)
    expect(relError(read(dx), wantDx)).toBeLessThan(1e-6)
  })
})

/** A 3×3 convolution's geometry; pads top/left as given, output size from the stride ('same'). */
function geom(
  batch: number,
  inH: number,
  inW: number,
  inC: number,
  stride: number,
  padTop: number,
  padLeft: number,
): ConvGeometry {
  const out = (n: number, pad: number) => Math.floor((n + 2 * pad - 3) / stride) + 1
  return {
    batch,
    inH,
    inW,
    inC,
    outH: out(inH, padTop),
    outW: out(inW, padLeft),
    outC: 1,
    kH: 3,
    kW: 3,
    strideH: stride,
    strideW: stride,
    padTop,
    padLeft,
  }
}
