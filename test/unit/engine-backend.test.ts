import { describe, expect, it } from 'vitest'
import { pickBackend } from '../../src/main/engine/backend/picker'
import { tf } from '../../src/main/engine/tf'

describe('pickBackend', () => {
  it('falls through to wasm and says why each better backend was skipped', async () => {
    const pick = await pickBackend('auto')
    // tfjs-node(-gpu) are optional dependencies: absent here, present on some machines.
    for (const s of pick.skipped) {
      expect(['tensorflow-gpu', 'tensorflow']).toContain(s.name)
      expect(s.reason).toMatch(
        /^@tensorflow\/tfjs-node(-gpu)?: (package not installed|failed to load)/,
      )
    }
    if (pick.skipped.length === 2) expect(pick.backend).toBe('wasm')
    expect(tf.getBackend()).toBe(
      pick.backend.startsWith('tensorflow') ? 'tensorflow' : pick.backend,
    )
    expect(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')).toBe(true)
  })

  it('forces a backend', async () => {
    const pick = await pickBackend('cpu')
    expect(pick).toEqual({ backend: 'cpu', skipped: [] })
    expect(tf.getBackend()).toBe('cpu')
    await pickBackend('wasm')
    expect(tf.getBackend()).toBe('wasm')
  })

  it('reports a forced backend that cannot load', async () => {
    const forced = pickBackend('tensorflow-gpu')
    const installed = await forced.then(
      () => true,
      (e: Error) => {
        expect(e.message).toMatch(/tfjs-node-gpu/)
        return false
      },
    )
    if (installed) expect(tf.getBackend()).toBe('tensorflow')
  })
})
