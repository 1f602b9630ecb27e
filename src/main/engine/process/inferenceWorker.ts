/**
 * Entry of the inference process: holds one run's model and answers encode/decode requests in order,
 * so interactive editing never runs tfjs on the UI's process.
 */
import { pickBackend } from '../backend/picker'
import { ParallelEncoder } from '../parallel/parallelEncoder'
import { type CheckpointModel, loadCheckpointModel } from '../train/checkpointModel'
import type { InferenceReply, InferenceRequest } from './inferenceProtocol'

interface Port {
  send(reply: InferenceReply): void
  onRequest(listener: (request: InferenceRequest) => void): void
}

function port(): Port {
  const parent = (
    process as unknown as {
      parentPort?: {
        on(e: 'message', l: (m: { data: unknown }) => void): void
        postMessage(m: unknown): void
      }
    }
  ).parentPort
  if (parent) {
    return {
      send: (reply) => parent.postMessage(reply),
      onRequest: (listener) => parent.on('message', (m) => listener(m.data as InferenceRequest)),
    }
  }
  return {
    send: (reply) => void process.send?.(reply),
    onRequest: (listener) => process.on('message', (m) => listener(m as InferenceRequest)),
  }
}

const channel = port()
let loaded: CheckpointModel | null = null
let encoder: ParallelEncoder | null = null
let queue = Promise.resolve()

async function answer(request: InferenceRequest): Promise<InferenceReply> {
  switch (request.op) {
    case 'load': {
      const pick = await pickBackend(request.backend)
      await encoder?.close()
      loaded?.model.dispose()
      // Cleared first: a checkpoint that fails to load leaves no model rather than a disposed one.
      encoder = null
      loaded = null
      loaded = loadCheckpointModel(request.checkpoint)
      const { model, step } = loaded
      encoder = new ParallelEncoder(model, pick.backend, (message) =>
        process.stderr.write(`inference: ${message}\n`),
      )
      return {
        id: request.id,
        ok: true,
        op: 'load',
        backend: pick.backend,
        skipped: pick.skipped,
        size: model.config.size,
        latentDim: model.config.latentDim,
        step,
      }
    }
    case 'encode': {
      if (!encoder) throw new Error('no model loaded')
      const { mu, logVar } = await encoder.encode(request.images)
      return { id: request.id, ok: true, op: 'encode', mu, logVar }
    }
    case 'decode': {
      if (!loaded) throw new Error('no model loaded')
      return {
        id: request.id,
        ok: true,
        op: 'decode',
        faces: await loaded.model.decodeAsync(request.latents),
      }
    }
  }
}

channel.onRequest((request) => {
  queue = queue.then(async () => {
    try {
      channel.send(await answer(request))
    } catch (error) {
      channel.send({
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      })
    }
  })
})

process.on('SIGINT', () => undefined)
process.on('disconnect', () => process.exit(0))
