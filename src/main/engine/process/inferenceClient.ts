import { fork } from 'node:child_process'
import { forkExecArgv, siblingModulePath } from '../../app/moduleEntry'
import type { BackendChoice, BackendName, SkippedBackend } from '../backend/picker'
import type { InferenceReply, InferenceRequest } from './inferenceProtocol'

export const INFERENCE_WORKER_ENTRY = siblingModulePath(import.meta.url, 'inferenceWorker')

/** The host's end of a channel to an inference process (child_process or Electron utilityProcess). */
export interface InferenceChannel {
  send(request: InferenceRequest): void
  onReply(listener: (reply: InferenceReply) => void): void
  onExit(listener: (code: number | null) => void): void
  kill(): void
}

export function forkInferenceProcess(): InferenceChannel {
  const child = fork(INFERENCE_WORKER_ENTRY, [], {
    execArgv: forkExecArgv(INFERENCE_WORKER_ENTRY),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  })
  return {
    send: (request) => void child.send(request),
    onReply: (listener) => child.on('message', (m) => listener(m as InferenceReply)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  }
}

export interface LoadedModel {
  backend: BackendName
  skipped: SkippedBackend[]
  size: number
  latentDim: number
  step: number
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

type Pending = { resolve: (reply: InferenceReply) => void; reject: (error: Error) => void }

/** Promise-based calls to the inference process; requests are answered in order. */
export class InferenceClient {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private exited = false

  constructor(private readonly channel: InferenceChannel) {
    channel.onReply((reply) => {
      const waiting = this.pending.get(reply.id)
      if (!waiting) return
      this.pending.delete(reply.id)
      if (reply.ok) waiting.resolve(reply)
      else waiting.reject(new Error(reply.error))
    })
    channel.onExit((code) => {
      this.exited = true
      for (const [, p] of this.pending)
        p.reject(new Error(`the inference process exited (${code})`))
      this.pending.clear()
    })
  }

  get alive(): boolean {
    return !this.exited
  }

  async load(checkpoint: string, backend: BackendChoice = 'auto'): Promise<LoadedModel> {
    const reply = await this.request({ op: 'load', checkpoint, backend })
    if (reply.ok && reply.op === 'load') {
      const { backend: name, skipped, size, latentDim, step } = reply
      return { backend: name, skipped, size, latentDim, step }
    }
    throw new Error('unexpected reply to load')
  }

  async encode(images: Uint8Array): Promise<{ mu: Float32Array; logVar: Float32Array }> {
    const reply = await this.request({ op: 'encode', images })
    if (reply.ok && reply.op === 'encode') return { mu: reply.mu, logVar: reply.logVar }
    throw new Error('unexpected reply to encode')
  }

  async decode(latents: Float32Array): Promise<Uint8ClampedArray> {
    const reply = await this.request({ op: 'decode', latents })
    if (reply.ok && reply.op === 'decode') return reply.faces
    throw new Error('unexpected reply to decode')
  }

  close(): void {
    this.channel.kill()
  }

  private request(body: DistributiveOmit<InferenceRequest, 'id'>): Promise<InferenceReply> {
    if (this.exited) return Promise.reject(new Error('the inference process has exited'))
    const id = this.nextId++
    return new Promise<InferenceReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.channel.send({ ...body, id } as InferenceRequest)
    })
  }
}
