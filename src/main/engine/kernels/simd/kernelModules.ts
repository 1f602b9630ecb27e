import { readFileSync } from 'node:fs'
import { type SimdModuleName, simdWasmPath } from './moduleFiles'

/** A memory as the kernels see it: the tfjs backend's heap, or a kernel module's own. */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike
}

/** A kernel module's memory as exported (it owns it; see ownMemoryKernels). */
export interface OwnMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}

// The node type library declares WebAssembly's types but not its constructors.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: object }
  Memory: abstract new (...args: never[]) => WasmMemory
}
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

const compiled = new Map<SimdModuleName, object>()

/**
 * A kernel module compiled from resources/wasm, once per thread (WebAssembly.Module objects are per
 * isolate). Throws where the runtime cannot compile it (no wasm SIMD, or no relaxed SIMD for gemm).
 */
export function compileKernel(name: SimdModuleName): object {
  let module = compiled.get(name)
  if (!module) {
    module = new wasm.Module(readFileSync(simdWasmPath(name)))
    compiled.set(name, module)
  }
  return module
}

/**
 * A fresh instance of a kernel module that owns its memory (not tied to any tfjs backend), or null
 * where the runtime cannot compile it: callers keep a JS path that computes the same.
 */
export function ownMemoryKernels<T extends { memory: OwnMemory }>(name: SimdModuleName): T | null {
  try {
    return new wasm.Instance(compileKernel(name), {}).exports as T
  } catch {
    return null
  }
}

const shared = new Map<SimdModuleName, unknown>()

/** ownMemoryKernels, one instance per thread for kernels that keep nothing between calls. */
export function threadOwnMemoryKernels<T extends { memory: OwnMemory }>(
  name: SimdModuleName,
): T | null {
  if (!shared.has(name)) shared.set(name, ownMemoryKernels<T>(name))
  return shared.get(name) as T | null
}

/** Grows memory to hold at least `bytes`. */
export function ensureBytes(memory: OwnMemory, bytes: number): void {
  const missing = bytes - memory.buffer.byteLength
  if (missing > 0) memory.grow(Math.ceil(missing / 65536))
}
