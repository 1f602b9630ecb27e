/**
 * tfjs-node-gpu is built against libtensorflow 2.9, which needs CUDA 11.2 and cuDNN 8.1 exactly. It
 * loads on machines without them and then runs on the CPU, or fails with a dynamic-linker message;
 * these turn either into one line that says what it needs.
 */
const NEEDS = 'tfjs-node-gpu needs CUDA 11.2 and cuDNN 8.1'

/** One line for a tfjs-node-gpu load failure. */
export function describeNodeGpuFailure(message: string): string {
  const first = message.split('\n')[0] ?? message
  const cudaLib =
    /(libcudart\.so\.[\d.]+|libcublas\w*\.so\.[\d.]+|libcufft\.so\.[\d.]+|cudart64_\d+\.dll)/.exec(
      message,
    )
  if (cudaLib) return `${NEEDS}: ${cudaLib[1]} not found (another CUDA version or none installed)`
  const cudnnLib = /(libcudnn\w*\.so\.[\d.]+)/.exec(message)
  if (cudnnLib) return `${NEEDS}: ${cudnnLib[1]} not found`
  if (/cudnn/i.test(message) && /version|mismatch|compiled/i.test(message)) {
    return `${NEEDS}: cuDNN version mismatch (${first.trim()})`
  }
  if (/CUDA_ERROR_NO_DEVICE|no CUDA-capable device|cuInit|failed call to cuInit/i.test(message)) {
    return `${NEEDS} and an NVIDIA GPU: no CUDA device found`
  }
  if (
    /libtensorflow|tfjs_binding\.node|napi-v\d/i.test(message) &&
    /not found|cannot open|cannot find module|no such file/i.test(message)
  ) {
    return 'tfjs-node-gpu: libtensorflow was not downloaded when it was installed (it downloads at install time)'
  }
  return `tfjs-node-gpu: failed to load (${first.trim()})`
}

/** The line for a tfjs-node-gpu that loaded but placed no op on a GPU. */
export const NODE_GPU_ON_CPU = `${NEEDS} and an NVIDIA GPU: it loaded but found no CUDA device`

/** Whether the active tensorflow backend (tfjs-node or -gpu) places ops on a GPU device. */
export function usesGpuDevice(backend: unknown): boolean {
  return (backend as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true
}
