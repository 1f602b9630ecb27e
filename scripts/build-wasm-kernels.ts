/**
 * Assembles the engine's wasm SIMD kernels (src/main/engine/kernels/simd/*.wat) with wabt into
 * resources/wasm/*.wasm. The .wasm files are committed; a unit test assembles the sources afresh
 * and asserts the committed binaries match, so the two never drift.
 * Usage: npm run build:kernels
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import wabt from 'wabt'
import {
  SIMD_MODULES,
  type SimdModuleName,
  simdWasmPath,
  simdWatPath,
} from '../src/main/engine/kernels/simd/moduleFiles'

/**
 * The features the kernels use beyond the MVP: all shipped in Node 22 and Electron's Chromium.
 * Relaxed SIMD (fused multiply-add) is used by the gemm module alone, which is optional at load.
 */
const FEATURES = { simd: true, bulk_memory: true, relaxed_simd: true }

/** The binary for one kernel module's .wat source (no debug names, so the output is stable). */
export async function assembleKernel(name: SimdModuleName): Promise<Uint8Array> {
  const file = simdWatPath(name)
  const assembler = await wabt()
  const module = assembler.parseWat(basename(file), readFileSync(file, 'utf8'), FEATURES)
  try {
    module.resolveNames()
    module.validate()
    return module.toBinary({ log: false, write_debug_names: false }).buffer
  } finally {
    module.destroy()
  }
}

async function main(): Promise<void> {
  for (const name of SIMD_MODULES) {
    const binary = await assembleKernel(name)
    writeFileSync(simdWasmPath(name), binary)
    process.stdout.write(`${simdWasmPath(name)}: ${binary.length} bytes\n`)
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`build:kernels failed: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  })
}
