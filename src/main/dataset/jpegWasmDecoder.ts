/**
 * Decodes small upright JPEGs with mozjpeg compiled to wasm (@jsquash/jpeg). For a 178×218 CelebA
 * photo it costs less CPU than a sharp pipeline, whose cost is almost all
 * libvips' per-call set-up, and its pixels are byte-identical to sharp's (both are libjpeg's
 * integer IDCT with fancy upsampling; checked by a test). It is only a fast path: any libjpeg warning
 * or error sends the file back to sharp, whose diagnostics name what is wrong with it.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import mozjpegFactory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js'

export interface DecodedRgba {
  /** RGBA, width·height·4 bytes */
  data: Uint8Array
  width: number
  height: number
}

interface MozjpegModule {
  decode(data: Uint8Array, preserveOrientation: boolean): DecodedRgba | null
}

type ModuleFactory = (options: Record<string, unknown>) => Promise<MozjpegModule>

// The node type library declares WebAssembly's types but not its constructors.
interface WasmInstance {
  exports: object
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => WasmInstance
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

let compiled: object | undefined
/** libjpeg prints warnings and fatal errors through the module's stderr. */
let messages: string[] = []

function wasmModule(): object {
  if (!compiled) {
    const require = createRequire(import.meta.url)
    const file = require.resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')
    compiled = new wasm.Module(readFileSync(file))
  }
  return compiled
}

async function instantiate(): Promise<MozjpegModule> {
  const module = wasmModule()
  return (mozjpegFactory as unknown as ModuleFactory)({
    noInitialRun: true,
    instantiateWasm: (imports: object, done: (instance: WasmInstance) => void) => {
      const instance = new wasm.Instance(module, imports)
      done(instance)
      return instance.exports
    },
    print: (line: string) => messages.push(line),
    printErr: (line: string) => messages.push(line),
  })
}

export class JpegWasmDecoder {
  /** Set after a fatal libjpeg error until a fresh instance replaces the exited one. */
  private broken = false

  private constructor(private module: MozjpegModule) {}

  static async create(): Promise<JpegWasmDecoder> {
    return new JpegWasmDecoder(await instantiate())
  }

  /**
   * The picture's RGBA pixels, or null when libjpeg reported anything at all (a truncated or
   * corrupt stream, an unsupported colour space): the caller then decodes with sharp. Synchronous.
   */
  decode(jpeg: Uint8Array): DecodedRgba | null {
    if (this.broken) return null
    messages = []
    let result: DecodedRgba | null
    try {
      result = this.module.decode(jpeg, false)
    } catch {
      // A fatal libjpeg error exits the emscripten program; a fresh instance is cheap (compiled once).
      this.broken = true
      void instantiate().then((fresh) => {
        this.module = fresh
        this.broken = false
      })
      return null
    }
    if (!result || messages.length > 0) return null
    const { data } = result
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: result.width,
      height: result.height,
    }
  }
}

let shared: Promise<JpegWasmDecoder> | undefined

/** One decoder per thread, created on first use. */
export function sharedJpegDecoder(): Promise<JpegWasmDecoder> {
  shared ??= JpegWasmDecoder.create()
  return shared
}
