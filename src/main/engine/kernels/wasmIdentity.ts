import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { fusedEnabled } from './switch'

/**
 * tfjs clones every tensor it saves for a gradient (engine.clone runs Identity), and the wasm
 * backend's Identity copies the data: dozens of activation-sized copies per training step. Tensors
 * are immutable, so sharing the buffer under a second reference, as the cpu backend's Identity and
 * the wasm backend's own Reshape do, gives the same result without the copy.
 */
export function wrapIdentity(stockConfig: KernelConfig): KernelConfig {
  const stock = stockConfig.kernelFunc
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo => {
    const { x } = args.inputs
    if (!fusedEnabled() || x.dtype === 'string') return stock(args as never) as TensorInfo
    args.backend.incRef(x.dataId)
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype }
  }
  return {
    kernelName: stockConfig.kernelName,
    backendName: 'wasm',
    setupFunc: stockConfig.setupFunc,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  }
}
