import { describe, expect, it } from 'vitest'
import {
  describeNodeGpuFailure,
  NODE_GPU_ON_CPU,
  usesGpuDevice,
} from '../../src/main/engine/backend/nodeGpu'
import { describeAdapter } from '../../src/main/engine/backend/webgpu'

describe('tfjs-node-gpu failures as one line', () => {
  it('names the CUDA library it wanted when CUDA 12 (or none) is installed', () => {
    const reason = describeNodeGpuFailure(
      'libcudart.so.11.0: cannot open shared object file: No such file or directory\n    at Module._extensions..node',
    )
    expect(reason).toBe(
      'tfjs-node-gpu needs CUDA 11.2 and cuDNN 8.1: libcudart.so.11.0 not found (another CUDA version or none installed)',
    )
    expect(
      describeNodeGpuFailure('Error: libcublasLt.so.11: cannot open shared object file'),
    ).toMatch(/CUDA 11\.2 .*libcublasLt\.so\.11 not found/)
  })

  it('names cuDNN when its library or its version is wrong', () => {
    expect(describeNodeGpuFailure('libcudnn.so.8: cannot open shared object file')).toBe(
      'tfjs-node-gpu needs CUDA 11.2 and cuDNN 8.1: libcudnn.so.8 not found',
    )
    expect(
      describeNodeGpuFailure(
        'Loaded runtime CuDNN library: 8.0.4 but source was compiled with: 8.1.0.  CuDNN library needs to have matching major version and equal or higher minor version.',
      ),
    ).toMatch(
      /^tfjs-node-gpu needs CUDA 11\.2 and cuDNN 8\.1: cuDNN version mismatch \(Loaded runtime CuDNN library: 8\.0\.4/,
    )
  })

  it('says when there is no CUDA device', () => {
    expect(
      describeNodeGpuFailure(
        'failed call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected',
      ),
    ).toBe('tfjs-node-gpu needs CUDA 11.2 and cuDNN 8.1 and an NVIDIA GPU: no CUDA device found')
    expect(NODE_GPU_ON_CPU).toMatch(/CUDA 11\.2 and cuDNN 8\.1.*no CUDA device/)
  })

  it('says libtensorflow is missing when the install could not download it', () => {
    expect(
      describeNodeGpuFailure(
        "Cannot find module '/app/node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node'",
      ),
    ).toMatch(/libtensorflow was not downloaded/)
  })

  it('keeps the first line of anything else', () => {
    expect(describeNodeGpuFailure('something odd\nstack')).toBe(
      'tfjs-node-gpu: failed to load (something odd)',
    )
  })

  it('reads whether the tensorflow backend placed ops on a GPU', () => {
    expect(usesGpuDevice({ isUsingGpuDevice: true })).toBe(true)
    expect(usesGpuDevice({ isUsingGpuDevice: false })).toBe(false)
    expect(usesGpuDevice({})).toBe(false)
  })
})

describe('GPU adapters as the studio shows them', () => {
  it('marks the software rasterisers', () => {
    const llvmpipe = describeAdapter(
      {
        vendor: '',
        architecture: 'llvmpipe-llvm-15-0-6-256-bits-',
        device: '',
        description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6',
      },
      'opengles',
    )
    expect(llvmpipe).toEqual({
      name: 'llvmpipe-llvm-15-0-6-256-bits',
      vendor: 'unknown',
      software: true,
      api: 'opengles',
    })
    expect(
      describeAdapter({ vendor: 'google', device: 'SwiftShader Device (Subzero)' }, 'default')
        .software,
    ).toBe(true)
    expect(describeAdapter({ vendor: 'mesa', device: 'lavapipe' }, 'default').software).toBe(true)
    expect(describeAdapter({ vendor: 'apple', isFallbackAdapter: true }, 'default').software).toBe(
      true,
    )
  })

  it('keeps a hardware adapter by its device name', () => {
    expect(
      describeAdapter(
        {
          vendor: 'nvidia',
          architecture: 'hopper',
          device: 'NVIDIA H200',
          description: 'NVIDIA: 550.54',
        },
        'default',
      ),
    ).toEqual({ name: 'NVIDIA H200', vendor: 'nvidia', software: false, api: 'default' })
  })
})
