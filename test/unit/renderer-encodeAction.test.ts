import { describe, expect, it } from 'vitest'
import type { LatentStatus } from '../../src/shared/contractLatent'
import {
  encodeActionLabel,
  encodeActionReason,
  imagesToEncode,
  roughDuration,
} from '../../src/renderer/src/lib/encodeAction'

const status = (over: Partial<LatentStatus>): LatentStatus => ({
  runId: 3,
  step: 800,
  images: 12_000,
  current: 0,
  stale: 0,
  state: 'missing',
  estimatedSeconds: 20,
  jobId: null,
  ...over,
})

describe('the Encode action', () => {
  it('names the run, the images still to encode and the estimate', () => {
    expect(encodeActionLabel(status({}))).toBe('Encode with run 3 · 12,000 images · ~20 s')
    expect(imagesToEncode(status({ current: 11_999, state: 'partial' }))).toBe(1)
    expect(encodeActionLabel(status({ current: 11_999, estimatedSeconds: 3 }))).toBe(
      'Encode with run 3 · 1 image · ~3 s',
    )
  })

  it('rounds the estimate to what a person reads', () => {
    expect(roughDuration(0.2)).toBe('~1 s')
    expect(roughDuration(89)).toBe('~89 s')
    expect(roughDuration(600)).toBe('~10 min')
    expect(roughDuration(3 * 3600)).toBe('~3.0 h')
  })

  it('says why: stale after more training, partial, or never encoded; never a command', () => {
    const reasons = [
      encodeActionReason(status({ state: 'stale', stale: 12_000 })),
      encodeActionReason(status({ state: 'partial', current: 6000 })),
      encodeActionReason(status({ state: 'missing' })),
    ]
    expect(reasons[0]).toMatch(/trained further .*step 800/)
    expect(reasons[1]).toMatch(/6,000 of 12,000/)
    expect(reasons[2]).toMatch(/not encoded/)
    for (const reason of reasons) expect(reason).not.toMatch(/face-studio|terminal/)
  })
})
