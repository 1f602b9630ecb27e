import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { registerWasmKernels } from '../kernels/registerWasmKernels'

let configured = false

/**
 * Points the wasm backend at its binaries inside node_modules. In Node the emscripten loader reads a
 * file path, so no server is needed. Threads are off: the threaded build needs a browser Worker.
 */
export function configureWasm(): void {
  if (configured) return
  const require = createRequire(import.meta.url)
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
  setWasmPaths({
    'tfjs-backend-wasm.wasm': join(dist, 'tfjs-backend-wasm.wasm'),
    'tfjs-backend-wasm-simd.wasm': join(dist, 'tfjs-backend-wasm-simd.wasm'),
    'tfjs-backend-wasm-threaded-simd.wasm': join(dist, 'tfjs-backend-wasm-threaded-simd.wasm'),
  })
  registerWasmKernels()
  configured = true
}
