import { describe, expect, it } from 'vitest'
import type { RunInfo, RunStatus } from '../../src/shared/contract'
import {
  canResumeRun,
  controlState,
  defaultRunId,
  formatLoss,
  formatPsnr,
  formatQuality,
  skippedBackendsText,
  upsertRun,
} from '../../src/renderer/src/lib/trainingRuns'

function run(id: number, status: RunStatus, extra: Partial<RunInfo> = {}): RunInfo {
  return {
    id,
    createdAt: '2024-01-01T00:00:00Z',
    preset: 'classic-64',
    seed: 1,
    status,
    stepsDone: 0,
    targetSteps: 100,
    backend: 'wasm',
    skippedBackends: [],
    valLoss: null,
    testPsnr: null,
    imagesPerSecond: null,
    error: null,
    ...extra,
  }
}

describe('controlState', () => {
  it('only start without a live run', () => {
    expect(controlState(null, false)).toEqual({
      start: true,
      pause: false,
      resume: false,
      stop: false,
    })
    expect(controlState(run(1, 'stopped'), false).start).toBe(true)
  })

  it('pause and stop while running, resume and stop while paused', () => {
    expect(controlState(run(1, 'running'), false)).toEqual({
      start: false,
      pause: true,
      resume: false,
      stop: true,
    })
    expect(controlState(run(1, 'paused'), false)).toEqual({
      start: false,
      pause: false,
      resume: true,
      stop: true,
    })
    expect(controlState(run(1, 'created'), false)).toMatchObject({ start: false, stop: true })
  })

  it('nothing while a request is on its way', () => {
    expect(Object.values(controlState(run(1, 'running'), true)).some(Boolean)).toBe(false)
    expect(Object.values(controlState(null, true)).some(Boolean)).toBe(false)
  })
})

describe('canResumeRun', () => {
  it('offers unfinished runs other than the live one', () => {
    expect(canResumeRun(run(1, 'stopped'), null)).toBe(true)
    expect(canResumeRun(run(1, 'failed'), 2)).toBe(true)
    expect(canResumeRun(run(1, 'running'), null)).toBe(true)
    expect(canResumeRun(run(1, 'running'), 1)).toBe(false)
    expect(canResumeRun(run(1, 'finished'), null)).toBe(false)
  })
})

describe('skippedBackendsText', () => {
  it('names the backend and why each better one was skipped', () => {
    const text = skippedBackendsText(
      run(1, 'running', {
        skippedBackends: [
          { name: 'tensorflow-gpu', reason: 'no CUDA' },
          { name: 'tensorflow', reason: 'tfjs-node not installed' },
        ],
      }),
    )
    expect(text.split('\n')).toEqual([
      'Training on wasm.',
      'Skipped:',
      '• tensorflow-gpu: no CUDA',
      '• tensorflow: tfjs-node not installed',
    ])
    expect(skippedBackendsText({ backend: null, skippedBackends: [] })).toMatch(/Choosing/)
  })
})

describe('formatting', () => {
  it('formats losses to three significant digits and PSNR in dB', () => {
    expect(formatLoss(123.456)).toBe('123')
    expect(formatLoss(0.5)).toBe('0.5')
    expect(formatLoss(12345)).toBe('12300')
    expect(formatLoss(2.5e-5)).toBe('2.50e-5')
    expect(formatLoss(null)).toBe('–')
    expect(formatPsnr(21.456)).toBe('21.46 dB')
    expect(formatPsnr(NaN)).toBe('–')
  })

  it('shows a run’s SSIM and sharpness, with every quality figure in the tooltip', () => {
    const shown = formatQuality({
      images: 600,
      testPsnr: 18.234,
      ssim: 0.61234,
      kl: 97.25,
      activeUnits: 41,
      latentDim: 128,
      sharpness: 0.3149,
    })
    expect(shown.text).toBe('SSIM 0.612 · sharp 0.31')
    expect(shown.title).toContain('600 test faces')
    expect(shown.title).toContain('18.23 dB')
    expect(shown.title).toContain('KL 97.3')
    expect(shown.title).toContain('41/128 active latent units')
    expect(shown.title).toContain('31 %')
    expect(formatQuality(null).text).toBe('–')
    expect(formatQuality(undefined).text).toBe('–')
  })
})

describe('defaultRunId and upsertRun', () => {
  it('prefers the live run, else the newest', () => {
    const runs = [run(2, 'stopped'), run(5, 'finished'), run(3, 'failed')]
    expect(defaultRunId(runs, null)).toBe(5)
    expect(defaultRunId(runs, run(3, 'running'))).toBe(3)
    expect(defaultRunId([], null)).toBeNull()
  })

  it('replaces by id and keeps newest first', () => {
    const list = upsertRun([run(3, 'stopped'), run(1, 'finished')], run(2, 'running'))
    expect(list.map((r) => r.id)).toEqual([3, 2, 1])
    const updated = upsertRun(list, run(2, 'paused'))
    expect(updated.map((r) => `${r.id}:${r.status}`)).toEqual([
      '3:stopped',
      '2:paused',
      '1:finished',
    ])
  })
})
