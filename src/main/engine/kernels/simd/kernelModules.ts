import { readFileSync } from 'node:fs'
import { type SimdModuleName, simdWasmPath } from './moduleFiles'

/** A kernel module's memory as exported (it owns it; see ownMemoryKernels). */
export interface OwnMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}

// The node type library declares WebAssembly's types but not its constructors.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: object }
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

const compiled = new Map<SimdModuleName, object | null>()

/**
 * A fresh instance of a kernel module that owns its memory (not tied to any tfjs backend), or null
 * where the runtime cannot compile it (no wasm SIMD): callers keep a JS path that computes the same.
 * Compiled once per thread.
 */
export function ownMemoryKernels<T extends { memory: OwnMemory }>(name: SimdModuleName): T | null {
  let module = compiled.get(name)
  if (module === undefined) {
    try {
      module = new wasm.Module(readFileSync(simdWasmPath(name)))
    } catch {
      module = null
    }
    compiled.set(name, module)
  }
  return module ? (new wasm.Instance(module, {}).exports as T) : null
}

/** Grows memory to hold at least `bytes`. */
export function ensureBytes(memory: OwnMemory, bytes: number): void {
  const missing = bytes - memory.buffer.byteLength
  if (missing > 0) memory.grow(Math.ceil(missing / 65536))
}
