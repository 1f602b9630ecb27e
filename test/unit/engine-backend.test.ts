import { describe, expect, it } from 'vitest'
import { pickBackend } from '../../src/main/engine/backend/picker'
import { probeWebgpu } from '../../src/main/engine/backend/webgpu'
import { tf } from '../../src/main/engine/tf'

describe('pickBackend', () => {
  it('falls through to wasm and says why each better backend was skipped', async () => {
    const pick = await pickBackend('auto')
    // tfjs-node(-gpu) are optional dependencies: absent here, present on some machines.
    for (const s of pick.skipped.filter((s) => s.name !== 'webgpu')) {
      expect(['tensorflow-gpu', 'tensorflow']).toContain(s.name)
      expect(s.reason).toMatch(
        /^@tensorflow\/tfjs-node(-gpu)?: (package not installed|failed to load)|^tfjs-node-gpu needs CUDA 11\.2 and cuDNN 8\.1/,
      )
    }
    if (pick.skipped.length === 3) expect(pick.backend).toBe('wasm')
    expect(tf.getBackend()).toBe(
      pick.backend.startsWith('tensorflow') ? 'tensorflow' : pick.backend,
    )
    expect(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')).toBe(true)
  })

  it('never picks a software GPU adapter by itself, and says so', async () => {
    const adapter = await probeWebgpu().catch(() => null)
    const pick = await pickBackend('auto')
    const webgpu = pick.skipped.find((s) => s.name === 'webgpu')
    if (adapter === null) {
      expect(webgpu?.reason).toMatch(/^webgpu: Dawn found no GPU adapter/)
    } else if (adapter.software) {
      // This machine and CI: Mesa's llvmpipe through OpenGL ES.
      expect(pick.backend).not.toBe('webgpu')
      expect(webgpu?.reason).toMatch(/^webgpu: software adapter .+, slower than wasm/)
      expect(webgpu?.reason).toContain(adapter.name)
    } else if (pick.backend !== 'tensorflow-gpu') {
      expect(pick.backend).toBe('webgpu')
      expect(pick.adapter).toEqual(adapter)
    }
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
