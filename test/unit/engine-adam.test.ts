import { describe, expect, it } from 'vitest'
import { jsAdamMoments } from '../../src/main/engine/kernels/adamMoments'
import { Adam } from '../../src/main/engine/train/adam'
import { simdAdamMoments } from '../../src/main/engine/kernels/simd/adamKernel'
import { uniformArray } from '../../src/main/engine/model/rng'
import { relError } from '../support/relError'

/** Keras' Adam written out per scalar, the reference the fused loop must match. */
function kerasAdam(w: number, grads: number[], lr: number): number {
  const [b1, b2, eps] = [0.9, 0.999, 1e-7]
  let m = 0
  let v = 0
  grads.forEach((g, k) => {
    const t = k + 1
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    w -= ((lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)) * (m / (Math.sqrt(v) + eps))
  })
  return w
}

describe('Adam (plain arrays)', () => {
  it('follows the Keras update over several steps, per parameter', () => {
    const steps = [
      [0.5, -2, 1e-6],
      [0.25, -1, -3e-6],
      [-0.1, 4, 2e-6],
    ]
    const adam = new Adam(1e-2, new Map([['w', 3]]))
    const weights = new Map([['w', Float32Array.from([1, -1, 0.5])]])
    for (const g of steps) adam.apply(weights, new Map([['w', Float32Array.from(g)]]))
    const got = weights.get('w') as Float32Array
    ;[1, -1, 0.5].forEach((w0, i) => {
      const want = kerasAdam(
        w0,
        steps.map((g) => g[i] as number),
        1e-2,
      )
      expect(got[i]).toBeCloseTo(want, 6)
    })
    expect(adam.iteration).toBe(3)
  })

  it('leaves a parameter without a gradient alone and rejects a wrong-sized one', () => {
    const adam = new Adam(
      1e-3,
      new Map([
        ['a', 2],
        ['b', 2],
      ]),
    )
    const weights = new Map([
      ['a', Float32Array.from([1, 2])],
      ['b', Float32Array.from([3, 4])],
    ])
    adam.apply(weights, new Map([['a', Float32Array.from([1, -1])]]))
    expect([...(weights.get('b') as Float32Array)]).toEqual([3, 4])
    expect(weights.get('a')?.[0]).toBeCloseTo(1 - 1e-3, 6)
    expect(() => adam.apply(weights, new Map([['b', new Float32Array(3)]]))).toThrow(
      /gradient of b has 3 values, expected 2/,
    )
  })

  it('restores its state exactly, so a resumed run takes the same steps', () => {
    const sizes = new Map([['w', 4]])
    const grads = (k: number) => new Map([['w', Float32Array.from([k, -k, 0.5 * k, 1])]])
    const a = new Adam(5e-4, sizes)
    const wa = new Map([['w', Float32Array.from([0.1, 0.2, 0.3, 0.4])]])
    for (let k = 1; k <= 3; k++) a.apply(wa, grads(k))
    const b = new Adam(5e-4, sizes)
    b.setState(a.getState())
    const wb = new Map([['w', (wa.get('w') as Float32Array).slice()]])
    a.apply(wa, grads(4))
    b.apply(wb, grads(4))
    expect(wb).toEqual(wa)
    expect(() => b.setState({ iteration: 1, m: new Map(), v: new Map() })).toThrow(
      /first moment for w is missing/,
    )
  })
})

describe('Adam in wasm SIMD', () => {
  it('takes the steps of the JS loop (float32 against float64), tails included', () => {
    const sizes = new Map([
      ['a', 1],
      ['b', 7],
      ['c', 1030],
    ])
    const store = simdAdamMoments(sizes)
    expect(store).not.toBeNull()
    const simd = new Adam(5e-3, sizes, 0.9, 0.999, 1e-7, store!)
    const js = new Adam(5e-3, sizes, 0.9, 0.999, 1e-7, jsAdamMoments(sizes))
    const ws = new Map([...sizes].map(([k, n], i) => [k, uniformArray(n, i)]))
    const wj = new Map([...ws].map(([k, w]) => [k, w.slice()]))
    const w0 = new Map([...ws].map(([k, w]) => [k, w.slice()]))
    for (let step = 1; step <= 20; step++) {
      const grads = new Map([...sizes].map(([k, n], i) => [k, uniformArray(n, 100 * step + i)]))
      simd.apply(ws, grads)
      js.apply(wj, grads)
    }
    for (const [k, w] of ws) {
      expect(w).not.toEqual(w0.get(k))
      expect(relError(w, wj.get(k) as Float32Array)).toBeLessThan(1e-5)
    }
    const sm = simd.getState()
    const jm = js.getState()
    expect(relError(sm.v.get('c')!, jm.v.get('c')!)).toBeLessThan(1e-4)
    // The state round-trips through the kernel's memory exactly.
    const again = new Adam(5e-3, sizes)
    again.setState(sm)
    expect(again.getState()).toEqual(sm)
  })

  it('keeps every instance apart and is off with FACE_STUDIO_SIMD=0', () => {
    const sizes = new Map([['w', 5]])
    const a = simdAdamMoments(sizes)!
    const b = simdAdamMoments(sizes)!
    const step = { lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }
    a.update('w', new Float32Array(5), Float32Array.from([1, 2, 3, 4, 5]), step)
    expect(Array.from(b.moments('w')!.m)).toEqual([0, 0, 0, 0, 0])
    expect(a.moments('w')!.m[4]).toBeCloseTo(0.5, 6)
    process.env.FACE_STUDIO_SIMD = '0'
    try {
      expect(simdAdamMoments(sizes)).toBeNull()
    } finally {
      delete process.env.FACE_STUDIO_SIMD
    }
  })
})
