/**
 * Fault injection: kills the CLI (or, for training, its worker process) with SIGKILL at seeded
 * random moments of ingest, train, encode and a morph export, round after round, and checks after
 * each kill that nothing was damaged: the database passes integrity_check, a checkpoint loads, an
 * export is a whole file or absent, `train --resume` continues from the last checkpoint, the command
 * run again completes, and no temporary files are left behind.
 *
 *   npm run fault -- --rounds 200 [--seed S] [--only train,encode,export,ingest] [--keep] [--json]
 *
 * Where a kill lands depends on the host's speed; what is checked holds for any moment.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openProjectFolder } from '../src/main/store/projectFolder'
import { ingestDataset } from '../src/main/dataset/ingest'
import { generateSyntheticDataset } from '../src/main/dataset/synth'
import { createRng } from '../src/main/dataset/synth/rng'
import { arg, args, json, log } from './lib/benchCli'
import {
  animationFrames,
  checkpointStep,
  databaseProblem,
  latestRun,
  temporaries,
} from './lib/faultChecks'
import {
  childrenOf,
  commandLine,
  groupAlive,
  kill,
  launch,
  sleep,
  waitFor,
  type Launched,
} from './lib/processTree'

type Operation = 'train' | 'encode' | 'export' | 'ingest'
/** Training first, so that encode and export have a trained run from then on. */
const ALL_OPERATIONS: readonly Operation[] = ['train', 'encode', 'export', 'ingest']
/** `--only train,export` limits the rounds to those operations. */
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',') : null
const OPERATIONS = ALL_OPERATIONS.filter((op) => only === null || only.includes(op))
const FACES = 64
const TRAIN_STEPS = 6
/** A killed command's processes must all be gone within this; longer means one outlived it. */
const EXIT_LIMIT_MS = 60_000
/** Tries per round to land a kill while the command runs. */
const MAX_ATTEMPTS = 3

const rounds = arg('--rounds', 20)
const seed = arg('--seed', 1)
const keep = args.includes('--keep')
const repo = join(import.meta.dirname, '..')
const cli = join(repo, 'bin', 'face-studio.js')
const work = mkdtempSync(join(tmpdir(), 'face-studio-fault-'))
const faces = join(work, 'faces')
const project = join(work, 'project')
const ingestProject = join(work, 'ingest-project')
const exportsDir = join(project, 'exports')
const morphOut = join(exportsDir, 'fault.gif')

interface RoundReport {
  round: number
  operation: Operation
  target: 'cli' | 'worker'
  delayMs: number
  /** whether the kill hit a live process (false: the command had already finished) */
  killed: boolean
  failures: string[]
}

/** Expected durations in ms, updated from every complete run, so kills spread over the work. */
const budget: Record<Operation, number> = {
  train: 15_000,
  encode: 8000,
  export: 8000,
  ingest: 5000,
}
const rng = createRng(seed, 0x6661)
const failures: string[] = []
const reports: RoundReport[] = []

function argsFor(operation: Operation, resume = false): string[] {
  switch (operation) {
    case 'train':
      return resume
        ? ['train', '--project', project, '--resume', '--json']
        : [
            'train',
            '--project',
            project,
            '--steps',
            String(TRAIN_STEPS),
            '--checkpoint-every',
            '2',
            '--replicas',
            '1',
            '--json',
          ]
    case 'encode':
      return ['encode', '--project', project, '--json']
    case 'export':
      return [
        'morph',
        '--project',
        project,
        '--from',
        '000001.jpg',
        '--to',
        '000002.jpg',
        '--frames',
        '8',
        '--size',
        '64',
        '--out',
        morphOut,
        '--json',
      ]
    case 'ingest':
      return ['ingest', faces, '--project', ingestProject, '--json']
  }
}

function lastJson(run: Launched): Record<string, unknown> | null {
  const line = run.stdout().trim().split('\n').at(-1)
  try {
    return line ? (JSON.parse(line) as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** Runs a command to the end; a failure is recorded with its stderr. */
async function complete(
  operation: Operation,
  resume = false,
): Promise<Record<string, unknown> | null> {
  const started = Date.now()
  const run = launch(cli, argsFor(operation, resume), repo)
  const { code } = await run.exited
  await waitFor(() => !groupAlive(run.pid), EXIT_LIMIT_MS)
  if (code !== 0) {
    throw new Error(
      `${argsFor(operation, resume).slice(0, 2).join(' ')} exited ${code}: ${run.stderr().trim().split('\n').slice(-3).join(' | ')}`,
    )
  }
  budget[operation] = Math.max(budget[operation] * 0.5, Date.now() - started)
  return lastJson(run)
}

function trainWorkerOf(pid: number): number | null {
  return childrenOf(pid).find((child) => commandLine(child).includes('trainWorker')) ?? null
}

/** Starts the operation and kills it (or its worker) after `delayMs`; returns whether it hit. */
async function startAndKill(
  operation: Operation,
  target: 'cli' | 'worker',
  delayMs: number,
): Promise<boolean> {
  const run = launch(cli, argsFor(operation), repo)
  let finished = false
  void run.exited.then(() => (finished = true))
  let victim: number | null = run.pid
  if (target === 'worker') {
    await waitFor(() => finished || trainWorkerOf(run.pid) !== null, EXIT_LIMIT_MS, 20)
    victim = finished ? null : trainWorkerOf(run.pid)
  }
  await Promise.race([sleep(delayMs), run.exited])
  const hit = victim !== null && !finished && kill(victim)
  await run.exited
  // Whatever the kill left (a worker without its host, a host without its worker) must end too.
  if (!(await waitFor(() => !groupAlive(run.pid), EXIT_LIMIT_MS))) {
    failures.push(
      `${operation}: processes of the killed command were still running ${EXIT_LIMIT_MS / 1000} s later`,
    )
    kill(-run.pid)
  }
  return hit
}

async function checkAfterKill(operation: Operation, report: RoundReport): Promise<void> {
  const fail = (message: string): void => void report.failures.push(message)
  for (const db of [join(project, 'studio.db'), join(ingestProject, 'studio.db')]) {
    const problem = databaseProblem(db)
    if (problem) fail(problem)
  }
  if (operation === 'train') {
    const run = latestRun(join(project, 'studio.db'))
    if (run && run.status !== 'finished') {
      const step = checkpointStep(run.dir)
      const result = await complete('train', true)
      if (result?.resumedFromStep !== step) {
        fail(
          `train --resume started at step ${String(result?.resumedFromStep)}, the checkpoint holds step ${step}`,
        )
      }
      if (result?.status !== 'finished' || result.steps !== run.targetSteps) {
        fail(
          `train --resume ended ${String(result?.status)} at step ${String(result?.steps)} of ${run.targetSteps}`,
        )
      }
    }
  } else if (operation === 'export') {
    let framesBefore: number | null = null
    try {
      framesBefore = existsSync(morphOut) ? await animationFrames(morphOut) : null
    } catch (error) {
      fail(`${morphOut}: left damaged by the kill (${(error as Error).message})`)
    }
    const result = await complete('export')
    if (framesBefore !== null && result && framesBefore !== result.frames) {
      fail(
        `${morphOut}: ${framesBefore} frames after the kill, a whole export has ${String(result.frames)}`,
      )
    }
  } else if (operation === 'encode') {
    const result = await complete('encode')
    if (result?.latents !== FACES)
      fail(`encode ended with ${String(result?.latents)} latents, not ${FACES}`)
  } else {
    const result = await complete('ingest')
    if (result?.images !== FACES)
      fail(`ingest ended with ${String(result?.images)} images, not ${FACES}`)
  }
  for (const db of [join(project, 'studio.db'), join(ingestProject, 'studio.db')]) {
    const problem = databaseProblem(db)
    if (problem) fail(`after the rerun: ${problem}`)
  }
  const left = temporaries([join(project, 'runs'), exportsDir, join(ingestProject, 'cache')])
  if (left.length > 0) fail(`temporary files left after the rerun: ${left.join(', ')}`)
}

async function main(): Promise<void> {
  log(`fault injection: ${rounds} rounds, seed ${seed}, in ${work}`)
  await generateSyntheticDataset(faces, { count: FACES, seed: 4, workers: 0 })
  const { db, paths } = openProjectFolder(project)
  try {
    await ingestDataset(db, paths, faces, { size: 64, threads: 0 })
  } finally {
    db.close()
  }
  if (
    !OPERATIONS.includes('train') &&
    OPERATIONS.some((op) => op === 'encode' || op === 'export')
  ) {
    await complete('train')
  }
  for (let round = 0; round < rounds; round++) {
    const operation = OPERATIONS[round % OPERATIONS.length] as Operation
    const target = operation === 'train' && rng.chance(0.5) ? 'worker' : 'cli'
    let delayMs = Math.round(rng.next() * budget[operation] * 1.2)
    const report: RoundReport = { round, operation, target, delayMs, killed: false, failures: [] }
    try {
      // A command that finished before its kill is started again with half the delay, and at
      // last with none, so every round kills something on any host.
      for (let attempt = 0; attempt < MAX_ATTEMPTS && !report.killed; attempt++) {
        if (operation === 'ingest') rmSync(ingestProject, { recursive: true, force: true })
        report.delayMs = delayMs
        report.killed = await startAndKill(operation, target, delayMs)
        delayMs = attempt + 2 < MAX_ATTEMPTS ? Math.floor(delayMs / 2) : 0
      }
      await checkAfterKill(operation, report)
    } catch (error) {
      report.failures.push((error as Error).message)
    }
    reports.push(report)
    failures.push(
      ...report.failures.map(
        (f) => `round ${round} (${operation}, ${target} killed after ${report.delayMs} ms): ${f}`,
      ),
    )
    log(
      `round ${round}: ${operation}, ${report.killed ? `killed the ${target}` : 'finished before the kill'} at ${report.delayMs} ms: ${report.failures.length === 0 ? 'ok' : report.failures.join('; ')}`,
    )
  }
}

try {
  await main()
} catch (error) {
  failures.push(`setup: ${(error as Error).message}`)
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true })
}
const summary = {
  rounds,
  seed,
  kills: reports.filter((r) => r.killed).length,
  byOperation: Object.fromEntries(
    OPERATIONS.map((op) => [op, reports.filter((r) => r.operation === op && r.killed).length]),
  ),
  failures,
}
log(
  `${summary.kills} kills in ${rounds} rounds; ${failures.length === 0 ? 'no damage found' : `${failures.length} failure(s):`}`,
)
for (const failure of failures) log(`  ${failure}`)
if (json) process.stdout.write(`${JSON.stringify(summary)}\n`)
process.exitCode = failures.length === 0 ? 0 : 1
