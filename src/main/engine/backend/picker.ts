import { tf } from '../tf'
import { configureWasm } from './wasmInit'

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu'
export type BackendChoice = 'auto' | BackendName

export interface SkippedBackend {
  name: BackendName
  reason: string
}

export interface BackendPick {
  backend: BackendName
  /** Better backends that were tried first, and why each was not used. */
  skipped: SkippedBackend[]
}

interface Candidate {
  name: BackendName
  /** tfjs' registry name for it. */
  tfName: string
  load: () => Promise<void>
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

/**
 * Picks the fastest backend that loads: tfjs-node-gpu, tfjs-node, wasm, then cpu, or exactly the one
 * forced. Returns the one in use and why each better one was skipped.
 */
export async function pickBackend(choice: BackendChoice = 'auto'): Promise<BackendPick> {
  const skipped: SkippedBackend[] = []
  const order = choice === 'auto' ? candidates : candidates.filter((c) => c.name === choice)
  if (order.length === 0) throw new Error(`backend: unknown backend '${choice}'`)
  for (const c of order) {
    try {
      await c.load()
      const ok = await tf.setBackend(c.tfName)
      if (!ok) throw new Error(`tfjs could not initialise the '${c.tfName}' backend`)
      await tf.ready()
      return { backend: c.name, skipped }
    } catch (e) {
      const pkg =
        c.name === 'tensorflow-gpu' ? NODE_GPU : c.name === 'tensorflow' ? NODE_CPU : c.name
      const reason = c.name.startsWith('tensorflow')
        ? describeLoadError(pkg, e)
        : `${c.name}: ${(e as Error).message}`
      if (choice !== 'auto') {
        throw new Error(`backend ${choice} is not usable: ${reason}`, { cause: e })
      }
      skipped.push({ name: c.name, reason })
    }
  }
  throw new Error(`backend: none usable (${skipped.map((s) => s.reason).join('; ')})`)
}
