/**
 * Entry of a replica worker thread: its own tfjs engine and backend, a Trainer copied from replica 0,
 * and the group's shared memory. It steps when told; all synchronisation happens inside the step.
 * An inference-only replica holds just a VaeModel and encodes.
 */
import { parentPort } from 'node:worker_threads'
import { pickBackend } from '../backend/picker'
import { VaeModel } from '../model/vaeModel'
import { tf } from '../tf'
import { Trainer } from '../train/trainer'
import type { FromReplica, ToReplica } from './protocol'
import { withInjectedFault } from './faultInjection'
import { SharedReplicaGroup } from './sharedGroup'

const port = parentPort
if (!port) throw new Error('replicaWorker must run in a worker thread')

let trainer: Trainer | null = null
let model: VaeModel | null = null
let group: SharedReplicaGroup | null = null
let failed = false

function post(message: FromReplica): void {
  port?.postMessage(message)
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  failed = true
  group?.abort(message)
  post({ type: 'failed', message })
}

async function init(m: Extract<ToReplica, { type: 'init' }>): Promise<void> {
  await pickBackend(m.backend)
  const t = Trainer.fromState(m.state)
  trainer = t
  model = t.model
  group = new SharedReplicaGroup(m.memory, m.index, m.timeoutMs)
  t.joinGroup(
    m.failAtStep === undefined ? group : withInjectedFault(group, m.failAtStep, () => t.step),
  )
}

async function initModel(m: Extract<ToReplica, { type: 'initModel' }>): Promise<void> {
  await pickBackend(m.backend)
  model = VaeModel.fromWeights(m.config, m.weights)
}

port.on('message', (m: ToReplica) => {
  switch (m.type) {
    case 'init':
      init(m).then(() => post({ type: 'ready' }), fail)
      break
    case 'initModel':
      initModel(m).then(() => post({ type: 'ready' }), fail)
      break
    case 'step':
      if (failed || !trainer) return
      try {
        trainer.trainStep(m.batch)
      } catch (error) {
        fail(error)
      }
      break
    case 'encode': {
      if (failed || !model) return
      try {
        const t0 = performance.now()
        const { mu, logVar } = model.encode(m.images)
        const ms = performance.now() - t0
        // Encode returns fresh arrays of its own, so their buffers can move without a copy.
        port.postMessage({ type: 'encoded', id: m.id, mu, logVar, ms } satisfies FromReplica, [
          mu.buffer as ArrayBuffer,
          logVar.buffer as ArrayBuffer,
        ])
      } catch (error) {
        fail(error)
      }
      break
    }
    case 'probe':
      if (!trainer) return
      post({
        type: 'probe',
        id: m.id,
        probe: {
          step: trainer.step,
          checksum: trainer.stateChecksum(),
          numTensors: tf.memory().numTensors,
        },
      })
      break
  }
})

// A thread ending for any reason must not leave the others blocked until their timeout.
process.on('exit', () => {
  if (!failed) group?.abort('the replica thread exited')
})
