/**
 * Entry of the training child process: `fork(entry, [], { execArgv: ['--import', 'tsx'] })`, then
 * send one 'start'; 'pause' / 'resume' / 'stop' steer it. Stop writes a checkpoint and exits.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type BackendName, pickBackend } from '../backend/picker'
import { PackedFileData } from '../data/trainingData'
import { ParallelTrainer, replicaCount } from '../parallel/parallelTrainer'
import { CHECKPOINT_FILE, runTraining } from '../train/loop'
import { acquireRunLock, RunBusyError } from '../train/runLock'
import { type StepTrainer, Trainer } from '../train/trainer'
import { parentChannel } from './parentChannel'
import type { HostMessage, StartMessage, WorkerMessage } from './protocol'

const pending = new Set<Promise<void>>()
const channel = parentChannel()

function send(message: WorkerMessage): Promise<void> {
  const p = channel.send(message)
  pending.add(p)
  void p.then(() => pending.delete(p))
  return p
}

/** Exits once every queued message has been handed to the channel. */
async function exit(code: number): Promise<never> {
  await Promise.all(pending)
  process.exit(code)
}

const abort = new AbortController()
let paused: { promise: Promise<void>; release: () => void } | null = null
let started = false
let currentStep = 0

function pauseGate(): { promise: Promise<void>; release: () => void } {
  let release = () => {}
  const promise = new Promise<void>((r) => (release = r))
  return { promise, release }
}

/**
 * Tests only: FACE_STUDIO_TEST_HOLD_AT_STEP=N parks the run before step N+1 (after step N and its
 * checkpoint, if one falls there) until it is stopped, so that a test can interrupt a run at a known
 * step however fast or slow the host is.
 */
function testHoldStep(): number | null {
  const value = process.env.FACE_STUDIO_TEST_HOLD_AT_STEP
  const step = value === undefined ? Number.NaN : Number(value)
  return Number.isSafeInteger(step) && step >= 0 ? step : null
}

function untilAborted(): Promise<void> {
  if (abort.signal.aborted) return Promise.resolve()
  return new Promise((resolve) => abort.signal.addEventListener('abort', () => resolve()))
}

async function start(msg: StartMessage): Promise<void> {
  // Before anything else touches the run folder: a second process must not train the same run.
  const lock = acquireRunLock(msg.projectRunDir)
  try {
    await train(msg)
  } finally {
    lock.release()
  }
}

async function train(msg: StartMessage): Promise<void> {
  const holdAt = testHoldStep()
  const pick = await pickBackend(msg.backend ?? 'auto')
  const checkpoint = join(msg.projectRunDir, CHECKPOINT_FILE)
  const local =
    msg.resume && existsSync(checkpoint) ? Trainer.load(checkpoint) : Trainer.init(msg.config)
  const parallel = await startReplicas(local, pick.backend)
  const trainer: StepTrainer = parallel ?? local
  currentStep = trainer.step
  const data = new PackedFileData(msg.data.file, msg.data.size, msg.data.splits)
  await send({
    type: 'ready',
    backend: pick.backend,
    skipped: pick.skipped,
    adapter: pick.adapter,
    startStep: trainer.step,
    replicas: parallel?.replicas ?? 1,
  })
  try {
    await runTraining(trainer, {
      data,
      epochs: msg.epochs,
      steps: msg.steps,
      previewEverySteps: msg.previewEverySteps,
      runDir: msg.projectRunDir,
      checkpointEverySteps: msg.checkpointEverySteps,
      maxEvalImages: msg.maxEvalImages,
      signal: abort.signal,
      beforeStep: async () => {
        currentStep = trainer.step
        // Steps are synchronous compute: yield once per step so pause/stop messages get read.
        await new Promise((resolve) => setImmediate(resolve))
        // A stop while paused must not wait for a resume.
        if (paused && !abort.signal.aborted) await paused.promise
        if (trainer.step === holdAt) await untilAborted()
      },
      onEvent: (e) => void send(e),
    })
    if (abort.signal.aborted)
      await send({ type: 'done', step: trainer.step, stopped: true, test: null })
  } finally {
    data.close()
    await parallel?.close()
    local.dispose()
  }
}

/**
 * The other replicas, when the run's config and backend call for more than one. A build without the
 * replica worker entry, or a thread that cannot start, trains on this thread alone (and says so).
 */
async function startReplicas(
  local: Trainer,
  backend: BackendName,
): Promise<ParallelTrainer | null> {
  // Every replica needs at least one image of each batch.
  const replicas = Math.min(replicaCount(backend, local.config.replicas), local.config.batchSize)
  if (replicas < 2) return null
  try {
    return await ParallelTrainer.start(local, { replicas, backend })
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    process.stderr.write(`training on one thread: the replica threads did not start (${why})\n`)
    return null
  }
}

channel.onMessage((raw: HostMessage) => {
  switch (raw.type) {
    case 'start':
      if (started) return void send({ type: 'error', message: 'training already started' })
      started = true
      start(raw).then(
        () => exit(0),
        async (e: unknown) => {
          const message = e instanceof Error ? e.message : String(e)
          void send(
            e instanceof RunBusyError ? { type: 'busy', message } : { type: 'error', message },
          )
          await exit(1)
        },
      )
      break
    case 'pause':
      if (!paused) {
        paused = pauseGate()
        void send({ type: 'paused', step: currentStep })
      }
      break
    case 'resume':
      if (paused) {
        paused.release()
        paused = null
        void send({ type: 'resumed', step: currentStep })
      }
      break
    case 'stop':
      stopRun()
      break
    default:
      void send({ type: 'error', message: `unknown message ${JSON.stringify(raw)}` })
  }
})

// Ctrl-C in a terminal, or SIGTERM from `timeout` or a service manager, often reaches the whole
// process group: the worker must not die before its checkpoint. It stops as if the host had said
// 'stop' (the host, which may have had the same signal, sends that too; stopping twice is harmless).
function stopRun(): void {
  abort.abort()
  paused?.release()
  paused = null
  if (!started) void exit(0)
}
process.on('SIGINT', stopRun)
process.on('SIGTERM', stopRun)

// The host going away must not leave an orphan training in the background.
process.on('disconnect', () => {
  abort.abort()
  paused?.release()
})
