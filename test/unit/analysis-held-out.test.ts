import { describe, expect, it } from 'vitest'
import { heldOutRows, takeRows } from '../../src/main/analysis'

describe('heldOutRows', () => {
  const ids = Array.from({ length: 1000 }, (_, i) => 3 * i + 7)

  it('holds out exactly the share, disjoint from the rest, both ascending', () => {
    const { heldOut, rest } = heldOutRows(ids, 0.1, 1)
    expect(heldOut).toHaveLength(100)
    expect(rest).toHaveLength(900)
    const all = [...heldOut, ...rest].sort((a, b) => a - b)
    expect(all).toEqual(ids.map((_, i) => i))
    for (const rows of [heldOut, rest]) {
      for (let k = 1; k < rows.length; k++) expect(rows[k]!).toBeGreaterThan(rows[k - 1]!)
    }
  })

  it('is seeded: the same seed picks the same images whatever their order, another seed others', () => {
    const pick = (list: number[], seed: number): number[] =>
      Array.from(heldOutRows(list, 0.1, seed).heldOut, (i) => list[i]!).sort((a, b) => a - b)
    const reversed = [...ids].reverse()
    expect(pick(reversed, 1)).toEqual(pick(ids, 1))
    const overlap = pick(ids, 2).filter((id) => pick(ids, 1).includes(id)).length
    expect(overlap).toBeLessThan(40)
  })

  it('spreads the held-out images over the ids instead of taking a block', () => {
    const held = heldOutRows(ids, 0.1, 1).heldOut
    const firstHalf = Array.from(held).filter((i) => i < 500).length
    expect(firstHalf).toBeGreaterThan(30)
    expect(firstHalf).toBeLessThan(70)
  })

  it('holds out at least one of two or more, none of one, and refuses a bad share', () => {
    expect(heldOutRows([5, 6, 7], 0.1, 1).heldOut).toHaveLength(1)
    expect(heldOutRows([5], 0.1, 1).heldOut).toHaveLength(0)
    expect(() => heldOutRows(ids, 1, 1)).toThrow(/share/)
  })
})

describe('takeRows', () => {
  it('copies the chosen rows in order, keeping the array type', () => {
    const m = Int8Array.from([1, 2, 3, 4, 5, 6])
    const out = takeRows(m, 2, [2, 0])
    expect(out).toBeInstanceOf(Int8Array)
    expect(Array.from(out)).toEqual([5, 6, 1, 2])
  })
})
