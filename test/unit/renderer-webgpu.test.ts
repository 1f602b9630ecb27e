import { describe, expect, it } from 'vitest'
import {
  BACKEND_CHOICES,
  defaultTrainForm,
  toTrainRequest,
} from '../../src/renderer/src/lib/trainForm'
import { backendBadgeText, skippedBackendsText } from '../../src/renderer/src/lib/trainingRuns'

describe('the training form and badge with webgpu', () => {
  it('offers webgpu and accepts GPU batch sizes from 64 to 512', () => {
    expect(BACKEND_CHOICES).toContain('webgpu')
    for (const batchSize of ['64', '256', '512']) {
      const r = toTrainRequest({ ...defaultTrainForm(), backend: 'webgpu', batchSize })
      expect(r).toMatchObject({
        ok: true,
        request: { backend: 'webgpu', batchSize: Number(batchSize) },
      })
    }
    expect(toTrainRequest({ ...defaultTrainForm(), batchSize: '0' }).ok).toBe(false)
  })

  it('shows the adapter on the badge, marked when it is software', () => {
    const adapter = { name: 'llvmpipe-llvm-15', vendor: 'mesa', software: true }
    expect(backendBadgeText({ backend: 'webgpu', adapter })).toBe(
      'webgpu · llvmpipe-llvm-15 (software)',
    )
    expect(
      backendBadgeText({
        backend: 'webgpu',
        adapter: { ...adapter, name: 'Apple M2', software: false },
      }),
    ).toBe('webgpu · Apple M2')
    expect(backendBadgeText({ backend: 'wasm', adapter: null })).toBe('wasm')
    expect(backendBadgeText({ backend: null })).toBe('choosing backend…')
    expect(skippedBackendsText({ backend: 'webgpu', adapter, skippedBackends: [] })).toBe(
      'Training on webgpu. GPU adapter: llvmpipe-llvm-15 (mesa, software).',
    )
  })
})
