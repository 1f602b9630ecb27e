import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core'
import { wasmConvKernelConfigs } from './wasmConvKernels'
import { wrapBatchMatMul } from './wasmMatMul'

let registered = false

/** Installs the engine's wasm kernels, replacing stock ones where they exist (they are slower). */
export function registerWasmKernels(): void {
  if (registered) return
  const stockMatMul = getKernel('BatchMatMul', 'wasm')
  if (!stockMatMul) throw new Error('engine: tfjs-backend-wasm registered no BatchMatMul kernel')
  // The wrapper carries the stock setupFunc (its cwrap), which runs when the backend initialises.
  const configs = [...wasmConvKernelConfigs, wrapBatchMatMul(stockMatMul)]
  for (const config of configs) {
    if (getKernel(config.kernelName, config.backendName)) {
      unregisterKernel(config.kernelName, config.backendName)
    }
    registerKernel(config)
  }
  registered = true
}
