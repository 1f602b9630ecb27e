import type { BackendChoice, BackendName, SkippedBackend } from '../backend/picker'

/** Requests to the inference process; each carries an id its reply repeats. */
export type InferenceRequest =
  | { id: number; op: 'load'; checkpoint: string; backend: BackendChoice }
  | { id: number; op: 'encode'; images: Uint8Array }
  | { id: number; op: 'decode'; latents: Float32Array }

export type InferenceReply =
  | {
      id: number
      ok: true
      op: 'load'
      backend: BackendName
      skipped: SkippedBackend[]
      size: number
      latentDim: number
      step: number
    }
  | { id: number; ok: true; op: 'encode'; mu: Float32Array; logVar: Float32Array }
  | { id: number; ok: true; op: 'decode'; faces: Uint8ClampedArray }
  | { id: number; ok: false; error: string }
