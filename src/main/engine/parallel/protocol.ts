import type { BackendName } from '../backend/picker'
import type { ModelConfig } from '../model/config'
import type { TrainerState } from '../train/trainer'
import type { GroupMemory } from './sharedGroup'

/** Messages between replica 0 (the training or encoding thread) and the replica worker threads. */

export type ToReplica =
  | {
      type: 'init'
      index: number
      memory: GroupMemory
      timeoutMs: number
      backend: BackendName
      /** Replica 0's state at start: every replica begins bitwise identical. */
      state: TrainerState
      /** Tests only: fail mid-step (inside the first batch-norm exchange) at this step. */
      failAtStep?: number
    }
  /** An inference-only replica: the model's weights, no optimiser and no group to train in. */
  | {
      type: 'initModel'
      backend: BackendName
      config: ModelConfig
      weights: Map<string, Float32Array>
    }
  /** The whole step's batch; the replica takes its own rows. */
  | { type: 'step'; batch: Uint8Array }
  | { type: 'probe'; id: number }
  /** Inference only: μ and log σ² of these images (no exchange, any replica may answer alone). */
  | { type: 'encode'; id: number; images: Uint8Array }

export interface ReplicaProbe {
  step: number
  /** Trainer.stateChecksum(): equal across replicas that stayed in lockstep. */
  checksum: number
  /** Live tfjs tensors in the replica's engine. */
  numTensors: number
}

export type FromReplica =
  | { type: 'ready' }
  | { type: 'probe'; id: number; probe: ReplicaProbe }
  /** ms: the replica's own encoding time, which steers the next split (see encodeShares). */
  | { type: 'encoded'; id: number; mu: Float32Array; logVar: Float32Array; ms: number }
  | { type: 'failed'; message: string }
