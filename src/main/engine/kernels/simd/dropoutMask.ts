import type { FillDropoutMask } from '../dropoutFill'
import { simdEnabled } from '../switch'
import { ensureBytes, type OwnMemory, threadOwnMemoryKernels } from './kernelModules'

interface DropoutExports {
  memory: OwnMemory
  mask(out: number, n: number, seed: number, threshold: number, scale: number): void
}

/**
 * rng.ts's fillDropoutMask drawn four entries at a time in wasm SIMD (the same values, tested), or
 * null where SIMD is off (FACE_STUDIO_SIMD=0) or unavailable. Works for every tfjs backend: the
 * module has its own memory and the mask is copied out.
 */
export function simdDropoutFill(): FillDropoutMask | null {
  if (!simdEnabled()) return null
  const k = threadOwnMemoryKernels<DropoutExports>('dropout')
  if (!k) return null
  return (mask, start, size, rate, seed) => {
    const keep = 1 - rate
    const threshold = Math.ceil(keep * 4294967296)
    if (threshold > 0xffffffff || threshold <= 0 || size === 0) {
      // Keep all (rate 0) or none: the comparison the kernel makes cannot say so.
      mask.fill(threshold > 0 ? 1 / keep : 0, start, start + size)
      return
    }
    ensureBytes(k.memory, size * 4)
    k.mask(0, size, seed | 0, threshold | 0, 1 / keep)
    mask.set(new Float32Array(k.memory.buffer, 0, size), start)
  }
}
