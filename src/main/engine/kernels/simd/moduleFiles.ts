import { join } from 'node:path'
import { packageRoot } from '../../../app/paths'

/**
 * The engine's hand-written wasm SIMD kernels: each is a .wat source beside this file, assembled by
 * `npm run build:kernels` into resources/wasm/<name>.wasm, which is committed so that neither the app
 * nor CI needs an assembler. resources/ is found from the package root, the same way from the
 * sources (tsx, tests, worker threads) and from electron-vite's bundle in out/main.
 */
export const SIMD_MODULES = [
  'activation',
  'adam',
  'batchNorm',
  'conv',
  'dropout',
  'gemm',
  'im2col',
  'pixels',
] as const

export type SimdModuleName = (typeof SIMD_MODULES)[number]

export function simdWasmPath(name: SimdModuleName): string {
  return join(packageRoot(), 'resources', 'wasm', `${name}.wasm`)
}

export function simdWatPath(name: SimdModuleName): string {
  return join(packageRoot(), 'src', 'main', 'engine', 'kernels', 'simd', `${name}.wat`)
}
