import { tf } from '../tf'
import { NODE_GPU_ON_CPU, describeNodeGpuFailure, usesGpuDevice } from './nodeGpu'
import { configureWasm } from './wasmInit'
import { configureWebgpu, type GpuAdapter, probeWebgpu } from './webgpu'
import type { BackendChoice, BackendName } from '../../../shared/training'

export type { BackendChoice, BackendName, GpuAdapter }

export interface SkippedBackend {
  name: BackendName
  reason: string
}

export interface BackendPick {
  backend: BackendName
  /** Better backends that were tried first, and why each was not used. */
  skipped: SkippedBackend[]
  /** The GPU adapter, on webgpu. */
  adapter?: GpuAdapter
}

interface Candidate {
  name: BackendName
  /** tfjs' registry name for it. */
  tfName: string
  /** Loads it; `auto` is false when the user forced this backend. */
  load: (auto: boolean) => Promise<GpuAdapter | void>
  /** Checks run once tfjs has initialised it. */
  verify?: () => void
}

function describeLoadError(pkg: string, e: unknown): string {
  const err = e as { code?: string; message?: string }
  if (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND') {
    if (err.message?.includes(`'${pkg}'`) || err.message?.includes(`"${pkg}"`)) {
      return `${pkg}: package not installed`
    }
  }
  return `${pkg}: failed to load (${(err.message ?? String(e)).split('\n')[0]})`
}

// Package names in variables keep bundlers and TypeScript from resolving the optional deps.
const NODE_GPU = '@tensorflow/tfjs-node-gpu'
const NODE_CPU = '@tensorflow/tfjs-node'

const candidates: Candidate[] = [
  {
    name: 'tensorflow-gpu',
    tfName: 'tensorflow',
    load: async () => {
      await import(/* @vite-ignore */ NODE_GPU)
    },
    verify: () => {
      if (!usesGpuDevice(tf.backend())) throw new Error(NODE_GPU_ON_CPU)
    },
  },
  {
    name: 'webgpu',
    tfName: 'webgpu',
    load: async (auto) => {
      const adapter = auto ? await probeWebgpu() : null
      if (adapter?.software) {
        throw new Error(
          `software adapter ${adapter.name} (${adapter.vendor}), slower than wasm; ` +
            'force it with --backend webgpu',
        )
      }
      return configureWebgpu()
    },
  },
  {
    name: 'tensorflow',
    tfName: 'tensorflow',
    load: async () => {
      await import(/* @vite-ignore */ NODE_CPU)
    },
  },
  { name: 'wasm', tfName: 'wasm', load: async () => configureWasm() },
  { name: 'cpu', tfName: 'cpu', load: async () => {} },
]

function skipReason(name: BackendName, e: unknown): string {
  if (name === 'tensorflow') return describeLoadError(NODE_CPU, e)
  if (name === 'tensorflow-gpu') {
    const missing = describeLoadError(NODE_GPU, e)
    return missing.endsWith('package not installed')
      ? missing
      : describeNodeGpuFailure((e as Error).message ?? String(e))
  }
  return `${name}: ${(e as Error).message ?? String(e)}`
}

/** tfjs-node-gpu's reason also says what the studio runs on instead. */
function insteadNote(s: SkippedBackend, used: BackendName): SkippedBackend {
  return s.name === 'tensorflow-gpu' && !s.reason.endsWith('package not installed')
    ? { ...s, reason: `${s.reason}; using ${used} instead` }
    : s
}

/**
 * Picks the fastest backend that loads: tfjs-node-gpu on a CUDA device, webgpu on a hardware
 * adapter, tfjs-node, wasm, then cpu, or exactly the one forced (webgpu then also runs on a software
 * adapter). Returns the one in use, its GPU adapter if any, and why each better one was skipped.
 */
export async function pickBackend(choice: BackendChoice = 'auto'): Promise<BackendPick> {
  const skipped: SkippedBackend[] = []
  const order = choice === 'auto' ? candidates : candidates.filter((c) => c.name === choice)
  if (order.length === 0) throw new Error(`backend: unknown backend '${choice}'`)
  for (const c of order) {
    try {
      const adapter = await c.load(choice === 'auto')
      const ok = await tf.setBackend(c.tfName)
      if (!ok) throw new Error(`tfjs could not initialise the '${c.tfName}' backend`)
      await tf.ready()
      c.verify?.()
      return {
        backend: c.name,
        skipped: skipped.map((s) => insteadNote(s, c.name)),
        ...(adapter ? { adapter } : {}),
      }
    } catch (e) {
      const reason = skipReason(c.name, e)
      if (choice !== 'auto') {
        throw new Error(`backend ${choice} is not usable: ${reason}`, { cause: e })
      }
      skipped.push({ name: c.name, reason })
    }
  }
  throw new Error(`backend: none usable (${skipped.map((s) => s.reason).join('; ')})`)
}
