/** `face-studio train --project DIR --preset … (--steps N | --epochs E) [--backend …] [--batch-size B] [--seed S] [--replicas N] [--resume] [--json]` */
import { type Command, InvalidArgumentError } from 'commander'
import type { RunInfo } from '../../../shared/contract'
import { MAX_SEED, MAX_TRAIN_EPOCHS, MAX_TRAIN_STEPS } from '../../../shared/limits'
import {
  BACKEND_NAMES,
  MAX_BATCH_SIZE,
  MAX_REPLICAS,
  PRESET_NAMES,
  REQUEST_DEFAULTS,
  type BackendChoice,
  type PresetName,
} from '../../../shared/training'
import { adapterOf, runQuality } from '../../studio/training/runInfo'
import type { TrainingOutcome } from '../../studio/training/trainingSession'
import { UsageError, UserFacingError } from '../errors'
import { intInRange, oneOf, positiveInt } from '../options'
import { createReporter, type Reporter } from '../report'
import { withStudio, type CliStudio } from '../studio'

interface TrainFlags {
  project: string
  preset: PresetName
  steps?: number
  epochs?: number
  backend: BackendChoice
  seed: number
  replicas?: number
  batchSize?: number
  resume?: boolean
  checkpointEvery?: number
  json?: boolean
}

function replicasOption(value: string): number {
  const n = positiveInt(value)
  if (n > MAX_REPLICAS) {
    throw new InvalidArgumentError(`expected at most ${MAX_REPLICAS} replicas, got "${value}"`)
  }
  return n
}

function batchSizeOption(value: string): number {
  const n = positiveInt(value)
  if (n > MAX_BATCH_SIZE) {
    throw new InvalidArgumentError(
      `expected a batch size of at most ${MAX_BATCH_SIZE}, got "${value}"`,
    )
  }
  return n
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(
      'train the VAE on the project’s image cache (in its own process; Ctrl-C checkpoints and stops)',
    )
    .requiredOption('--project <DIR>', 'project folder')
    .option(
      '--preset <NAME>',
      `${PRESET_NAMES.join(', ')} (classic: the seed's model; studio: sharper in the same time)`,
      oneOf(PRESET_NAMES),
      REQUEST_DEFAULTS.preset,
    )
    .option('--steps <N>', 'train until this many steps in total', intInRange(1, MAX_TRAIN_STEPS))
    .option('--epochs <E>', 'train this many epochs', intInRange(1, MAX_TRAIN_EPOCHS))
    .option(
      '--backend <NAME>',
      `one of ${BACKEND_NAMES.join(', ')}`,
      oneOf(BACKEND_NAMES),
      REQUEST_DEFAULTS.backend,
    )
    .option(
      '--seed <S>',
      'seed for initialisation, shuffling, dropout and sampling',
      intInRange(0, MAX_SEED),
      REQUEST_DEFAULTS.seed,
    )
    .option(
      '--batch-size <B>',
      `images per step, up to ${MAX_BATCH_SIZE} (default 32; 64–512 suit a GPU)`,
      batchSizeOption,
    )
    .option(
      '--replicas <N>',
      'data-parallel replicas, one thread each (default: 2 on wasm/cpu with 2+ cores, 1 on tensorflow)',
      replicasOption,
    )
    .option(
      '--checkpoint-every <N>',
      'steps between checkpoints (default: once per epoch)',
      intInRange(1, MAX_TRAIN_STEPS),
    )
    .option('--resume', 'continue the latest unfinished run up to its target')
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: TrainFlags) => {
      if (!flags.resume && (flags.steps === undefined) === (flags.epochs === undefined)) {
        throw new UsageError('give exactly one of --steps N and --epochs E (or --resume)')
      }
      if (flags.resume && (flags.replicas !== undefined || flags.batchSize !== undefined)) {
        throw new UsageError(
          '--replicas and --batch-size apply to a new run; a resumed run keeps its own',
        )
      }
      const reporter = createReporter(flags.json === true)
      try {
        await withStudio(flags.project, { create: true }, (studio) =>
          train(studio, flags, reporter),
        )
      } finally {
        reporter.close()
      }
    })
}

/** Starts (or resumes) the run through the studio, shows its progress and reports how it ended. */
async function train(studio: CliStudio, flags: TrainFlags, reporter: Reporter): Promise<void> {
  let announced = false
  const offStatus = studio.on('training.status', (run) => {
    if (announced || run.status !== 'running') return
    announced = true
    reporter.info(readyLine(run))
  })
  const offStep = studio.on('training.step', (event) =>
    reporter.progress({ phase: 'training', done: event.step, total: event.targetSteps }),
  )
  let runId: number
  try {
    runId = flags.resume ? await resume(studio, flags) : await start(studio, flags)
  } catch (error) {
    throw error instanceof UsageError || error instanceof UserFacingError
      ? error
      : new UserFacingError((error as Error).message)
  }
  const onSignal = (): void => {
    reporter.info('stopping: writing a checkpoint…')
    void studio.call('training.stop', { runId })
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const done = studio.service.training.outcome(runId)
    if (!done) throw new UserFacingError(`run ${runId} ended before it started training`)
    const outcome = await done
    reporter.result(resultJson(outcome), () => humanSummary(outcome))
    if (outcome.run.status === 'failed') {
      throw new UserFacingError(
        `run ${outcome.run.id} failed: ${outcome.run.error ?? 'the training process ended without saying why'}`,
      )
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    offStatus()
    offStep()
  }
}

async function start(studio: CliStudio, flags: TrainFlags): Promise<number> {
  const { runId } = await studio.call('training.start', {
    preset: flags.preset,
    steps: flags.steps,
    epochs: flags.epochs,
    seed: flags.seed,
    backend: flags.backend,
    batchSize: flags.batchSize,
    replicas: flags.replicas,
    checkpointEverySteps: flags.checkpointEvery,
  })
  return runId
}

/** `--resume`: the newest run that did not reach its target. */
async function resume(studio: CliStudio, flags: TrainFlags): Promise<number> {
  const unfinished = (await studio.call('runs.list', {})).find((r) => r.status !== 'finished')
  if (!unfinished)
    throw new UserFacingError(`${studio.paths.database}: no unfinished run to resume`)
  const { runId } = await studio.call('training.resumeRun', {
    runId: unfinished.id,
    ...(flags.backend === 'auto' ? {} : { backend: flags.backend }),
  })
  return runId
}

function readyLine(run: RunInfo): string {
  const skipped = run.skippedBackends.map((s) => `${s.name}: ${s.reason}`).join('; ')
  const adapter = run.adapter
  const on = adapter
    ? `${run.backend} (${adapter.name}, ${adapter.vendor}${adapter.software ? ', software' : ''})`
    : run.backend
  return (
    `run ${run.id} on ${on}${skipped ? ` (skipped ${skipped})` : ''}` +
    (run.stepsDone > 0 ? `, resuming from step ${run.stepsDone}` : '')
  )
}

function resultJson(outcome: TrainingOutcome): Record<string, unknown> {
  const { run } = outcome
  return {
    run: run.id,
    backend: run.backend,
    adapter: adapterOf(run),
    steps: run.stepsDone,
    resumedFromStep: outcome.resumedFromStep,
    initialLoss: outcome.initialLoss,
    finalLoss: outcome.finalLoss,
    valLoss: run.valLoss,
    testPSNR: run.testPsnr,
    imagesPerSecond: run.imagesPerSecond,
    status: run.status,
    quality: runQuality(run),
  }
}

function humanSummary(outcome: TrainingOutcome): string {
  const { run } = outcome
  const quality = runQuality(run)
  const fmt = (v: number | null, digits = 2): string => (v === null ? 'n/a' : v.toFixed(digits))
  return [
    `run ${run.id} ${run.status} at step ${run.stepsDone}/${run.targetSteps} on ${run.backend}`,
    `  loss ${fmt(outcome.initialLoss)} → ${fmt(outcome.finalLoss)} (mean of first/last 20 steps)`,
    `  validation loss ${fmt(run.valLoss)}, test PSNR ${fmt(run.testPsnr)} dB, ${fmt(run.imagesPerSecond, 1)} images/s`,
    ...(quality
      ? [
          `  test SSIM ${fmt(quality.ssim, 3)}, KL ${fmt(quality.kl, 1)}, ${quality.activeUnits}/${quality.latentDim} active latent units, sample sharpness ${fmt(quality.sharpness, 3)} of real`,
        ]
      : []),
  ].join('\n')
}
