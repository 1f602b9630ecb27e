/**
 * Responsiveness of the host while the engine trains: a small synthetic project is ingested, a
 * classic-64 run trains in its own process (as in the studio), and this process measures its own
 * event-loop delay meanwhile. `npm run bench:lag -- --json [--steps N]`: the last stdout line is
 * {"eventLoopLagP99Ms": …, "eventLoopLagMaxMs": …}.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { ingestDataset } from '../src/main/dataset/ingest'
import { generateSyntheticDataset } from '../src/main/dataset/synth'
import { openProjectFolder } from '../src/main/store/projectFolder'
import { TrainingSession } from '../src/main/studio/training/trainingSession'

const args = process.argv.slice(2)
const json = args.includes('--json')
const stepsFlag = args.indexOf('--steps')
const steps = stepsFlag >= 0 ? Number(args[stepsFlag + 1]) : 30

const dir = mkdtempSync(join(tmpdir(), 'bench-lag-'))
try {
  await generateSyntheticDataset(join(dir, 'faces'), { count: 128, seed: 1 })
  const { db, paths } = openProjectFolder(join(dir, 'project'))
  await ingestDataset(db, paths, join(dir, 'faces'), { size: 64 })
  let stepEvents = 0
  let histogram: ReturnType<typeof monitorEventLoopDelay> | null = null
  const session = TrainingSession.startNew(
    { preset: 'classic-64', steps, seed: 1, backend: 'auto', previewEverySteps: 5 },
    {
      db,
      paths,
      listener: {
        // Measure from the first step: start-up (loading tfjs in the child) is not training.
        step: () => {
          stepEvents++
          if (!histogram) {
            histogram = monitorEventLoopDelay({ resolution: 5 })
            histogram.enable()
          }
        },
      },
    },
  )
  const outcome = await session.done
  const h = histogram as ReturnType<typeof monitorEventLoopDelay> | null
  h?.disable()
  db.close()
  const ms = (ns: number): number => Math.round((ns / 1e6) * 10) / 10
  const result = {
    steps: outcome.run.stepsDone,
    stepEvents,
    backend: outcome.run.backend,
    eventLoopLagP50Ms: h ? ms(h.percentile(50)) : null,
    eventLoopLagP99Ms: h ? ms(h.percentile(99)) : null,
    eventLoopLagMaxMs: h ? ms(h.max) : null,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  }
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`)
  else {
    process.stdout.write(
      `host event loop while training ${result.steps} steps on ${result.backend}: ` +
        `p50 ${result.eventLoopLagP50Ms} ms, p99 ${result.eventLoopLagP99Ms} ms, max ${result.eventLoopLagMaxMs} ms\n`,
    )
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
