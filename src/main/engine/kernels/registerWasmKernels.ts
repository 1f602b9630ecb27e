import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core'
import { wasmConvKernelConfigs } from './wasmConvKernels'
import { wrapBatchMatMul } from './wasmMatMul'
import { wrapIdentity } from './wasmIdentity'
import { wrapConvForward } from './wasmConvForward'

let registered = false

/** Installs the engine's wasm kernels, replacing stock ones where they exist (they are slower). */
export function registerWasmKernels(): void {
  if (registered) return
  const stock = (name: string) => {
    const config = getKernel(name, 'wasm')
    if (!config) throw new Error(`engine: tfjs-backend-wasm registered no ${name} kernel`)
    return config
  }
  // The wrapper carries the stock setupFunc (its cwrap), which runs when the backend initialises.
  const configs = [
    ...wasmConvKernelConfigs,
    wrapBatchMatMul(stock('BatchMatMul')),
    wrapIdentity(stock('Identity')),
    wrapConvForward(stock('Conv2D')),
    wrapConvForward(stock('FusedConv2D')),
  ]
  for (const config of configs) {
    if (getKernel(config.kernelName, config.backendName)) {
      unregisterKernel(config.kernelName, config.backendName)
    }
    registerKernel(config)
  }
  registered = true
}
