import { describe, expect, it } from 'vitest'
import {
  contiguousUntil,
  downsampleIndices,
  drawableSeries,
  emaSmooth,
  hasGap,
  insertStep,
  mergeEpochs,
  mergeSteps,
  placeValidation,
  valueExtent,
  type LossPoint,
} from '../../src/renderer/src/lib/lossSeries'

function point(step: number, total = step, epoch = 0): LossPoint {
  return { step, epoch, total, recon: total * 0.9, kl: total * 0.1 }
}

describe('mergeSteps', () => {
  it('appends a later batch as it is', () => {
    const merged = mergeSteps([point(1), point(2)], [point(3), point(4)])
    expect(merged.map((p) => p.step)).toEqual([1, 2, 3, 4])
  })

  it('dedupes by step with the incoming point winning, and sorts', () => {
    const merged = mergeSteps(
      [point(1, 10), point(2, 20), point(3, 30)],
      [point(3, 99), point(2, 88)],
    )
    expect(merged.map((p) => [p.step, p.total])).toEqual([
      [1, 10],
      [2, 88],
      [3, 99],
    ])
  })

  it('fills a hole left by live events', () => {
    const live = [point(1), point(2), point(7), point(8)]
    const stored = [point(1), point(2), point(3), point(4), point(5), point(6)]
    expect(mergeSteps(stored, live).map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('does not modify its inputs', () => {
    const a = [point(1)]
    const b = [point(2)]
    mergeSteps(a, b)
    mergeSteps(a, [])
    expect(a).toHaveLength(1)
    expect(b).toHaveLength(1)
  })
})

describe('insertStep', () => {
  it('appends, replaces an existing step and inserts out-of-order ones in place', () => {
    const series = [point(1), point(3)]
    expect(insertStep(series, point(5))).toBe(true)
    expect(insertStep(series, point(3, 42))).toBe(false)
    expect(insertStep(series, point(2))).toBe(true)
    expect(insertStep(series, point(0))).toBe(true)
    expect(series.map((p) => p.step)).toEqual([0, 1, 2, 3, 5])
    expect(series[3]?.total).toBe(42)
  })

  it('starts an empty series', () => {
    const series: LossPoint[] = []
    insertStep(series, point(9))
    expect(series.map((p) => p.step)).toEqual([9])
  })
})

describe('hasGap', () => {
  it('tells a complete series from one with a hole or a missing start', () => {
    expect(hasGap([point(1), point(2), point(3)])).toBe(false)
    expect(hasGap([])).toBe(false)
    expect(hasGap([point(1), point(2), point(4)])).toBe(true)
    expect(hasGap([point(5), point(6)])).toBe(true)
  })
})

describe('contiguousUntil', () => {
  it('is the last step before the first hole', () => {
    expect(contiguousUntil([point(1), point(2), point(3), point(9)])).toBe(3)
    expect(contiguousUntil([point(1), point(2)])).toBe(2)
    expect(contiguousUntil([point(40), point(41)])).toBe(0)
    expect(contiguousUntil([])).toBe(0)
  })
})

describe('emaSmooth', () => {
  it('returns the values when smoothing is 0', () => {
    expect(emaSmooth([3, 1, 2], 0)).toEqual([3, 1, 2])
  })

  it('is debiased: a constant series stays constant from the first value', () => {
    const smoothed = emaSmooth([5, 5, 5, 5], 0.9)
    for (const v of smoothed) expect(v).toBeCloseTo(5, 10)
  })

  it('matches the recurrence by hand', () => {
    const s = 0.5
    const [a, b, c] = emaSmooth([4, 0, 8], s)
    // Averages 2, 1, 4.5 over weights 0.5, 0.75, 0.875.
    expect(a).toBeCloseTo(4)
    expect(b).toBeCloseTo(1 / 0.75)
    expect(c).toBeCloseTo(4.5 / 0.875)
  })

  it('lags a step change more the higher the smoothing', () => {
    const values = [...Array<number>(20).fill(10), ...Array<number>(5).fill(0)]
    const light = emaSmooth(values, 0.3).at(-1) as number
    const heavy = emaSmooth(values, 0.95).at(-1) as number
    expect(light).toBeLessThan(1)
    expect(heavy).toBeGreaterThan(5)
  })

  it('passes non-finite values through without poisoning the average', () => {
    const smoothed = emaSmooth([2, NaN, 2], 0.8)
    expect(Number.isNaN(smoothed[1])).toBe(true)
    expect(smoothed[2]).toBeCloseTo(2)
  })
})

describe('downsampleIndices', () => {
  it('keeps everything when the series is short', () => {
    expect(downsampleIndices([1, 2, 3], 10)).toEqual([0, 1, 2])
  })

  it('bounds 100k points to the budget, ascending, with both ends and the extremes', () => {
    const n = 100_000
    const values = Array.from({ length: n }, (_, i) => Math.sin(i / 500) * 10 + 100)
    values[31_337] = 1e6 // a divergence spike must survive decimation
    values[77_777] = -50
    const keep = downsampleIndices(values, 1600)
    expect(keep.length).toBeLessThanOrEqual(1600)
    expect(keep.length).toBeGreaterThan(800)
    expect(keep[0]).toBe(0)
    expect(keep.at(-1)).toBe(n - 1)
    expect(keep).toContain(31_337)
    expect(keep).toContain(77_777)
    for (let i = 1; i < keep.length; i++) expect(keep[i]).toBeGreaterThan(keep[i - 1] as number)
  })

  it('never exceeds tiny budgets', () => {
    const values = Array.from({ length: 50 }, (_, i) => (i * 7) % 13)
    for (const budget of [2, 3, 4, 5, 9]) {
      expect(downsampleIndices(values, budget).length).toBeLessThanOrEqual(Math.max(budget, 4))
    }
  })
})

describe('drawableSeries', () => {
  it('smooths, decimates and keeps steps aligned with values', () => {
    const points = Array.from({ length: 5000 }, (_, i) => point(i + 1, 1000 - i * 0.1))
    const { x, y } = drawableSeries(points, 'recon', 0, 400)
    expect(x.length).toBe(y.length)
    expect(x.length).toBeLessThanOrEqual(400)
    expect(x[0]).toBe(1)
    expect(x.at(-1)).toBe(5000)
    // Unsmoothed, each kept value is the recon of its own step.
    x.forEach((step, i) => expect(y[i]).toBeCloseTo((1000 - (step - 1) * 0.1) * 0.9))
  })
})

describe('placeValidation', () => {
  it('puts stored epochs at their last step and keeps the steps live events gave', () => {
    const steps = [point(1, 1, 0), point(2, 1, 0), point(3, 1, 1), point(4, 1, 1), point(5, 1, 2)]
    const placed = placeValidation(
      [
        { epoch: 0, valLoss: 10 },
        { epoch: 1, step: 4, valLoss: 8 },
        { epoch: 2, valLoss: null },
        { epoch: 7, valLoss: 5 },
      ],
      steps,
    )
    expect(placed).toEqual([
      { step: 2, valLoss: 10 },
      { step: 4, valLoss: 8 },
    ])
  })
})

describe('mergeEpochs', () => {
  it('one point per epoch, keeping a known step when the database does not say it', () => {
    const merged = mergeEpochs(
      [{ epoch: 1, step: 8, valLoss: 3 }],
      [
        { epoch: 1, valLoss: 3.5 },
        { epoch: 0, valLoss: 4 },
      ],
    )
    expect(merged).toEqual([
      { epoch: 0, valLoss: 4 },
      { epoch: 1, step: 8, valLoss: 3.5 },
    ])
  })
})

describe('valueExtent', () => {
  it('ignores non-finite values and, on a log scale, non-positive ones', () => {
    expect(
      valueExtent(
        [
          [3, NaN, -1],
          [Infinity, 7],
        ],
        false,
      ),
    ).toEqual([-1, 7])
    expect(valueExtent([[3, 0, -1], [7]], true)).toEqual([3, 7])
    expect(valueExtent([[0, -2]], true)).toBeNull()
  })
})
