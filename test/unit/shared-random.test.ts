import { describe, expect, it } from 'vitest'
import { sampleLatent } from '../../src/shared/latent'
import { Rng } from '../../src/shared/random'

describe('Rng (mulberry32)', () => {
  it('draws the sequence the engine, the maps and the prior samples have always drawn', () => {
    // Values of the generator as it stood in each of its former copies; a change here changes every
    // seeded shuffle, dropout mask, map layout and sample face.
    const r = new Rng(42)
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([
      2581720956, 1925393290, 3661312704, 2876485805,
    ])
    const g = new Rng(7)
    expect([g.normal(), g.normal(), g.normal()]).toEqual([
      0.14197043782155663, -0.8642530248729361, -1.006366324094015,
    ])
    const b = new Rng(0xffffffff)
    expect([b.next(), b.below(1000), b.state]).toEqual([0.8964226141106337, 189, 3663131625])
  })

  it('restarts from a saved state', () => {
    const a = new Rng(9)
    a.next()
    const resumed = new Rng(a.state)
    expect([resumed.next(), resumed.next()]).toEqual([a.next(), a.next()])
  })
})

describe('sampleLatent', () => {
  it('draws a prior face from the seed alone, scaled by the temperature', () => {
    const rng = new Rng(7)
    const normals = Float32Array.from({ length: 3 }, () => rng.normal() * 0.5)
    expect(Array.from(sampleLatent(3, 7, 0.5))).toEqual(Array.from(normals))
    expect(Array.from(sampleLatent(3, 8))).not.toEqual(Array.from(sampleLatent(3, 7)))
  })
})
