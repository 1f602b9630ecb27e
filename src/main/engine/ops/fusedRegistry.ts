import * as tf from '@tensorflow/tfjs-core'
import { fusedKernelSpecs } from '../kernels/fusedKernels'
import { hostKernelConfigs } from '../kernels/hostKernels'
import { fusedEnabled } from '../kernels/switch'

export { fusedEnabled }

let registered = false

/** Registers the fused kernels for 'wasm' and 'cpu' (idempotent; other backends get none). */
export function registerFusedKernels(): void {
  if (registered) return
  for (const config of fusedKernelSpecs.flatMap(hostKernelConfigs)) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config)
  }
  registered = true
}

/** Whether the active backend runs all of `kernels` (else the op takes its composite path). */
export function canRunFused(...kernels: string[]): boolean {
  if (!fusedEnabled()) return false
  registerFusedKernels()
  const backend = tf.getBackend()
  return kernels.every((k) => tf.getKernel(k, backend) !== undefined)
}
