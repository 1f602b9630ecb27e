import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { syntheticShapes } from '../../src/main/engine/data/trainingData'
import { trainConfig } from '../../src/main/engine/model/config'
import { permutation } from '../../src/main/engine/model/rng'
import { replicaCount } from '../../src/main/engine/parallel/parallelTrainer'
import type { StartMessage, WorkerMessage } from '../../src/main/engine/process/protocol'
import { forkTrainingProcess } from '../../src/main/engine/process/spawn'
import { makeTempDir } from '../support/tempDir'
import { tinyModel as model } from '../support/engineModels'

const temp = makeTempDir('engine-process-')
afterAll(() => temp.cleanup())

// A packed cache of 120 slots; the splits use scattered slots, as the dataset room's would.
const cacheFile = join(temp.dir, 'cache-16.bin')
writeFileSync(cacheFile, syntheticShapes(120, 16, 99))
const order = Array.from(permutation(120, 5))
const splits = {
  train: order.slice(0, 80),
  validation: order.slice(80, 100),
  test: order.slice(100),
}

function startMessage(runDir: string, extra: Partial<StartMessage> = {}): StartMessage {
  return {
    type: 'start',
    config: trainConfig(model, { batchSize: 8, seed: 11 }),
    projectRunDir: runDir,
    epochs: 3,
    backend: 'wasm',
    data: { file: cacheFile, size: 16, splits },
    checkpointEverySteps: 4,
    ...extra,
  }
}

/** Runs a worker, letting `react` steer it on each message, until it exits. */
async function runWorker(
  start: StartMessage,
  react: (m: WorkerMessage, p: ReturnType<typeof forkTrainingProcess>) => void = () => {},
  env: NodeJS.ProcessEnv = {},
) {
  const p = forkTrainingProcess({ env })
  const messages: WorkerMessage[] = []
  p.onMessage((m) => {
    messages.push(m)
    react(m, p)
  })
  p.send(start)
  const code = await p.exited
  return { code, messages }
}

const stepLosses = (ms: WorkerMessage[]) =>
  new Map(ms.flatMap((m) => (m.type === 'step' ? [[m.step, m.total] as const] : [])))

describe('training child process', () => {
  let reference: Map<number, number>

  it('trains to the end and reports backend, steps, epochs, checkpoints and test metrics', async () => {
    const { code, messages } = await runWorker(startMessage(join(temp.dir, 'full')))
    expect(code).toBe(0)
    const ready = messages[0]
    expect(ready?.type).toBe('ready')
    if (ready?.type === 'ready') {
      expect(ready.backend).toBe('wasm')
      expect(ready.startStep).toBe(0)
      // No replicas in the config: the default, 2 on a machine with two or more cores.
      expect(ready.replicas).toBe(replicaCount('wasm'))
    }
    reference = stepLosses(messages)
    expect([...reference.keys()]).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    expect(messages.filter((m) => m.type === 'epoch')).toHaveLength(3)
    expect(messages.some((m) => m.type === 'checkpoint' && m.step === 4)).toBe(true)
    const done = messages.at(-1)
    expect(done?.type).toBe('done')
    if (done?.type === 'done') {
      expect(done.stopped).toBe(false)
      expect(done.test?.images).toBe(20)
      expect(done.test?.psnr).toBeGreaterThan(0)
    }
  }, 120_000)

  it('killed after a checkpoint, resumes at that step with the same losses', async () => {
    const runDir = join(temp.dir, 'killed')
    let killedAt = -1
    // Held after the checkpoint at step 12, so the kill finds it there however fast the host is.
    const first = await runWorker(
      startMessage(runDir),
      (m, p) => {
        if (m.type === 'checkpoint' && m.step === 12) {
          killedAt = m.step
          p.kill('SIGKILL')
        }
      },
      { FACE_STUDIO_TEST_HOLD_AT_STEP: '12' },
    )
    expect(first.code).toBeNull()
    expect(killedAt).toBe(12)

    const second = await runWorker(startMessage(runDir, { resume: true }))
    expect(second.code).toBe(0)
    const ready = second.messages[0]
    expect(ready?.type === 'ready' && ready.startStep).toBe(killedAt)
    const resumed = stepLosses(second.messages)
    expect(Math.min(...resumed.keys())).toBe(killedAt + 1)
    expect(Math.max(...resumed.keys())).toBe(30)
    for (const [step, loss] of resumed) expect(loss).toBe(reference.get(step))
  }, 120_000)

  it('pauses, resumes, and on stop writes a checkpoint and exits', async () => {
    const runDir = join(temp.dir, 'steered')
    const seen: string[] = []
    let stepsWhilePaused = 0
    let pausedFlag = false
    const { code, messages } = await runWorker(startMessage(runDir, { epochs: 50 }), (m, p) => {
      seen.push(m.type)
      if (m.type === 'step' && m.step === 3) p.send({ type: 'pause' })
      if (m.type === 'paused') {
        pausedFlag = true
        setTimeout(() => {
          pausedFlag = false
          p.send({ type: 'resume' })
        }, 400)
      }
      // One step may already be under way when the pause lands.
      if (m.type === 'step' && pausedFlag) stepsWhilePaused++
      if (m.type === 'step' && m.step === 8) p.send({ type: 'stop' })
    })
    expect(code).toBe(0)
    expect(seen).toContain('paused')
    expect(seen).toContain('resumed')
    expect(stepsWhilePaused).toBeLessThanOrEqual(1)
    const last = messages.at(-1)
    expect(last?.type).toBe('done')
    const checkpoints = messages.filter((m) => m.type === 'checkpoint')
    const lastCheckpoint = checkpoints.at(-1)
    expect(lastCheckpoint?.type === 'checkpoint' && lastCheckpoint.step).toBe(
      last?.type === 'done' ? last.step : -1,
    )
    expect(last?.type === 'done' && last.stopped).toBe(true)
    expect(last?.type === 'done' && last.step).toBeLessThan(50 * 10)
  }, 120_000)
})
