import { tf } from '../tf'

/**
 * A computation that yields the tensors whose values it needs and resumes with them, so the same
 * code runs with blocking reads (wasm, cpu, tensorflow) and with awaited ones (webgpu in Node, whose
 * reads cannot block). The generator disposes what it yields.
 */
export type Reads<T> = Generator<tf.Tensor[], T, Float32Array[]>

/** Runs it reading each tensor with dataSync. */
export function readSync<T>(reads: Reads<T>): T {
  if (tf.getBackend() === 'webgpu') {
    // tfjs-backend-webgpu reads synchronously through an OffscreenCanvas, which Node lacks.
    throw new Error('trainer: webgpu reads results asynchronously; call the …Async method')
  }
  let r = reads.next()
  try {
    while (!r.done) r = reads.next(r.value.map((t) => t.dataSync() as Float32Array))
  } catch (error) {
    reads.return(undefined as T)
    throw error
  }
  return r.value
}

/** Runs it awaiting each tensor's data. */
export async function readAsync<T>(reads: Reads<T>): Promise<T> {
  let r = reads.next()
  try {
    while (!r.done) {
      const values = await Promise.all(r.value.map((t) => t.data() as Promise<Float32Array>))
      r = reads.next(values)
    }
  } catch (error) {
    reads.return(undefined as T)
    throw error
  }
  return r.value
}
