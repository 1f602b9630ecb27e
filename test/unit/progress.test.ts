import { describe, expect, it } from 'vitest'
import { RateEstimator, formatDuration } from '../../src/shared/progress'

describe('RateEstimator', () => {
  it('derives rate and ETA from samples in its window', () => {
    const est = new RateEstimator(10_000)
    est.update(0, 0)
    est.update(100, 1000)
    expect(est.rate()).toBeCloseTo(100)
    expect(est.etaSeconds(100, 600)).toBeCloseTo(5)
  })

  it('forgets samples older than the window so the ETA follows speed changes', () => {
    const est = new RateEstimator(1000)
    est.update(0, 0)
    est.update(1000, 1000)
    est.update(1010, 3000)
    est.update(1020, 4000)
    expect(est.rate()).toBeLessThan(20)
  })

  it('formats durations', () => {
    expect(formatDuration(65)).toBe('01:05')
    expect(formatDuration(3725)).toBe('1:02:05')
    expect(formatDuration(null)).toBe('--:--')
  })
})
