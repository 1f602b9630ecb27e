import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { type SimdKernels, simdKernels } from './simd/simdKernels'

/**
 * A float32 kernel written once as a JS loop over flat arrays and registered for the two backends
 * whose tensors live in JS-reachable memory: 'wasm' (views of the module heap, no copies) and 'cpu'.
 */
export interface HostKernelSpec {
  name: string
  /** Input names in the order `compute` receives them; absent optional ones arrive empty. */
  inputs: string[]
  optional?: string[]
  outShape(inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): number[]
  compute(inputs: Float32Array[], out: Float32Array, attrs: NamedAttrMap): void
  /**
   * The same computation in the wasm SIMD kernels ('wasm' backend only), on heap byte offsets.
   * Returns false to decline (e.g. a channel count the lanes do not fit): `compute` runs instead.
   */
  simd?(call: SimdCall): boolean
}

export interface SimdCall {
  kernels: SimdKernels
  /** Heap byte offsets of the inputs in `inputs` order; absent optional ones are -1. */
  inputs: number[]
  /** Float counts of the inputs; absent optional ones are 0. */
  sizes: number[]
  /** Channels (last dimension) of the first input. */
  channels: number
  out: number
  attrs: NamedAttrMap
  /** A heap scratch area of `floats` float32s (16-byte multiple), freed after the kernel. */
  scratch(floats: number): number
}

export const HOST_KERNEL_BACKENDS = ['wasm', 'cpu'] as const

const EMPTY = new Float32Array(0)

function present(spec: HostKernelSpec, inputs: NamedTensorInfoMap): Record<string, TensorInfo> {
  const found: Record<string, TensorInfo> = {}
  for (const name of spec.inputs) {
    const t = inputs[name]
    if (t) {
      if (t.dtype !== 'float32') {
        throw new Error(
          `engine kernel ${spec.name}: input ${name} must be float32 (got ${t.dtype})`,
        )
      }
      found[name] = t
    } else if (!spec.optional?.includes(name)) {
      throw new Error(`engine kernel ${spec.name}: missing input ${name}`)
    }
  }
  return found
}

function wasmKernel(spec: HostKernelSpec): KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as BackendWasm
    const found = present(spec, args.inputs)
    const attrs = args.attrs ?? {}
    const out = backend.makeOutput(spec.outShape(found, attrs), 'float32')
    if (runSimd(spec, backend, found, out, attrs)) return out
    // Views are taken after the allocation: growing the wasm heap detaches older views.
    const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array
    const arrays = spec.inputs.map((name) => (found[name] ? view(found[name]) : EMPTY))
    spec.compute(arrays, view(out), attrs)
    return out
  }
}

const channelsOf = (t: TensorInfo | undefined) => (t ? (t.shape[t.shape.length - 1] ?? 1) : 0)

function runSimd(
  spec: HostKernelSpec,
  backend: BackendWasm,
  found: Record<string, TensorInfo>,
  out: TensorInfo,
  attrs: NamedAttrMap,
): boolean {
  const kernels = spec.simd ? simdKernels(backend) : null
  if (!kernels || !spec.simd) return false
  const size = (t: TensorInfo | undefined) => (t ? t.shape.reduce((a, b) => a * b, 1) : 0)
  const scratch: TensorInfo[] = []
  try {
    return spec.simd({
      kernels,
      inputs: spec.inputs.map((name) => (found[name] ? kernels.ptr(found[name]) : -1)),
      sizes: spec.inputs.map((name) => size(found[name])),
      channels: channelsOf(found[spec.inputs[0] as string]),
      out: kernels.ptr(out),
      attrs,
      scratch: (floats) => {
        const t = backend.makeOutput([Math.ceil(floats / 4) * 4], 'float32')
        scratch.push(t)
        return kernels.ptr(t)
      },
    })
  } finally {
    for (const t of scratch) backend.disposeData(t.dataId)
  }
}

function cpuKernel(spec: HostKernelSpec): KernelFunc {
  return (args) => {
    const backend = args.backend as KernelBackend & {
      makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo
    }
    const found = present(spec, args.inputs)
    const attrs = args.attrs ?? {}
    const shape = spec.outShape(found, attrs)
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1))
    const arrays = spec.inputs.map((name) =>
      found[name] ? (backend.readSync(found[name].dataId) as Float32Array) : EMPTY,
    )
    spec.compute(arrays, out, attrs)
    return backend.makeTensorInfo(shape, 'float32', out)
  }
}

/** The spec's kernel for each host backend. */
export function hostKernelConfigs(spec: HostKernelSpec): KernelConfig[] {
  return [
    { kernelName: spec.name, backendName: 'wasm', kernelFunc: wasmKernel(spec) },
    { kernelName: spec.name, backendName: 'cpu', kernelFunc: cpuKernel(spec) },
  ]
}
