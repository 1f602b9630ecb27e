import type { AdamMoments } from '../adamMoments'
import { simdEnabled } from '../switch'
import { ensureBytes, type OwnMemory, ownMemoryKernels } from './kernelModules'

interface AdamExports {
  memory: OwnMemory
  adam(
    m: number,
    v: number,
    w: number,
    g: number,
    n: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
  ): void
}

/**
 * Adam's moments in the memory of their own wasm SIMD kernel instance, or null where SIMD is off
 * (FACE_STUDIO_SIMD=0) or unavailable. Each update copies the weights and gradient in and the
 * weights out and runs in float32, four parameters at a time.
 */
export function simdAdamMoments(sizes: Map<string, number>): AdamMoments | null {
  if (!simdEnabled()) return null
  const k = ownMemoryKernels<AdamExports>('adam')
  if (!k) return null
  // Layout: each parameter's m then v, then one scratch pair (w, g) as large as the largest.
  const offsets = new Map<string, number>()
  let bytes = 0
  const aligned = (n: number) => Math.ceil((n * 4) / 16) * 16
  let largest = 0
  for (const [name, n] of sizes) {
    offsets.set(name, bytes)
    bytes += 2 * aligned(n)
    largest = Math.max(largest, n)
  }
  const wAt = bytes
  const gAt = wAt + aligned(largest)
  ensureBytes(k.memory, gAt + aligned(largest))
  // The memory never grows after this, so the views stay attached.
  const buffer = k.memory.buffer
  const views = new Map(
    [...sizes].map(([name, n]) => {
      const at = offsets.get(name) as number
      return [
        name,
        {
          m: new Float32Array(buffer, at, n),
          v: new Float32Array(buffer, at + aligned(n), n),
        },
      ]
    }),
  )
  return {
    moments: (name) => views.get(name),
    update(name, w, g, { lr, beta1, beta2, epsilon }) {
      const at = offsets.get(name) as number
      const n = w.length
      new Float32Array(buffer, wAt, n).set(w)
      new Float32Array(buffer, gAt, n).set(g)
      k.adam(at, at + aligned(n), wAt, gAt, n, lr, beta1, beta2, epsilon)
      w.set(new Float32Array(buffer, wAt, n))
    },
  }
}
