import { simdEnabled } from '../switch'
import { ensureBytes, type OwnMemory, threadOwnMemoryKernels } from './kernelModules'

interface PixelExports {
  memory: OwnMemory
  toUnit(src: number, dst: number, n: number): void
}

/**
 * bytesToUnit (pixels.ts) in wasm SIMD, the same floats (tested for every byte value), or null where
 * SIMD is off (FACE_STUDIO_SIMD=0) or unavailable.
 */
export function simdBytesToUnit(): ((bytes: Uint8Array) => Float32Array) | null {
  if (!simdEnabled()) return null
  const k = threadOwnMemoryKernels<PixelExports>('pixels')
  if (!k) return null
  return (bytes) => {
    const n = bytes.length
    const dst = Math.ceil(n / 16) * 16
    ensureBytes(k.memory, dst + 4 * n)
    new Uint8Array(k.memory.buffer, 0, n).set(bytes)
    k.toUnit(0, dst, n)
    return new Float32Array(k.memory.buffer, dst, n).slice()
  }
}
