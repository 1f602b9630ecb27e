/**
 * Typed arrays in and out of the analysis cache's JSON (the cache itself, and the fingerprint that
 * keeps it honest, are store/analysisCache).
 */
export { latentFingerprint, readCached, writeCached } from '../../store/analysisCache'

/** Typed arrays travel through JSON as base64 of their bytes. */
export function toBase64(values: Float32Array | Int32Array | Int8Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64')
}

export function float32FromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64')
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return new Float32Array(copy.buffer)
}

export function int32FromBase64(text: string): Int32Array {
  const bytes = Buffer.from(text, 'base64')
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return new Int32Array(copy.buffer)
}
