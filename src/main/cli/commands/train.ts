/** `face-studio train --project DIR --preset … (--steps N | --epochs E) [--backend …] [--batch-size B] [--seed S] [--replicas N] [--resume] [--json]` */
import { type Command, InvalidArgumentError } from 'commander'
import type { BackendChoice, PresetName } from '../../engine'
import { MAX_REPLICAS } from '../../engine/model/config'
import { openProjectFolder } from '../../store/projectFolder'
import { latestUnfinishedRun, type RunRow } from '../../store/runs'
import { adapterOf, runQuality } from '../../studio/training/runInfo'
import { TrainingSession, type TrainingOutcome } from '../../studio/training/trainingSession'
import { UsageError, UserFacingError } from '../errors'
import { intInRange, oneOf, positiveInt } from '../options'
import { MAX_SEED, MAX_TRAIN_EPOCHS, MAX_TRAIN_STEPS } from '../../../shared/limits'
import { presetSchema } from '../../../shared/contract'
import { createReporter } from '../report'

interface TrainFlags {
  project: string
  preset: PresetName
  steps?: number
  epochs?: number
  backend: BackendChoice | 'tensorflow'
  seed: number
  replicas?: number
  batchSize?: number
  resume?: boolean
  checkpointEvery?: number
  json?: boolean
}

const BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const
// The same bound as the studio's training form (trainRequestSchema).
const MAX_BATCH = 1024

function replicasOption(value: string): number {
  const n = positiveInt(value)
  if (n > MAX_REPLICAS) {
    throw new InvalidArgumentError(`expected at most ${MAX_REPLICAS} replicas, got "${value}"`)
  }
  return n
}

function batchSizeOption(value: string): number {
  const n = positiveInt(value)
  if (n > MAX_BATCH) {
    throw new InvalidArgumentError(`expected a batch size of at most ${MAX_BATCH}, got "${value}"`)
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
      `one of ${presetSchema.options.join(', ')} (classic = the seed's model; studio = sharper at the same time)`,
      oneOf(presetSchema.options),
      'classic-64',
    )
    .option('--steps <N>', 'train until this many steps in total', intInRange(1, MAX_TRAIN_STEPS))
    .option('--epochs <E>', 'train this many epochs', intInRange(1, MAX_TRAIN_EPOCHS))
    .option('--backend <NAME>', `one of ${BACKENDS.join(', ')}`, oneOf(BACKENDS), 'auto')
    .option(
      '--seed <S>',
      'seed for initialisation, shuffling, dropout and sampling',
      intInRange(0, MAX_SEED),
      1,
    )
    .option(
      '--batch-size <B>',
      `images per step, up to ${MAX_BATCH} (default 32; 64–512 suit a GPU)`,
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
      const backend: BackendChoice = flags.backend === 'tensorflow' ? 'tensorflow' : flags.backend
      const reporter = createReporter(flags.json === true)
      const { paths, db } = openProjectFolder(flags.project)
      let target = 0
      const listener = {
        ready: (info: {
          backend: string
          skipped: { name: string; reason: string }[]
          startStep: number
          run: RunRow
        }) => {
          target = info.run.targetSteps
          const skipped = info.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')
          const adapter = adapterOf(info.run)
          const on = adapter
            ? `${info.backend} (${adapter.name}, ${adapter.vendor}${adapter.software ? ', software' : ''})`
            : info.backend
          reporter.info(
            `run ${info.run.id} on ${on}${skipped ? ` (skipped ${skipped})` : ''}` +
              (info.startStep > 0 ? `, resuming from step ${info.startStep}` : ''),
          )
        },
        step: (event: { step: number }) =>
          reporter.progress({ phase: 'training', done: event.step, total: target }),
      }
      let session: TrainingSession
      try {
        if (flags.resume) {
          const run = latestUnfinishedRun(db)
          if (!run) throw new UserFacingError(`${paths.database}: no unfinished run to resume`)
          session = TrainingSession.resume(
            run,
            { db, paths, listener },
            flags.backend === 'auto' ? undefined : backend,
          )
        } else {
          session = TrainingSession.startNew(
            {
              preset: flags.preset,
              steps: flags.steps,
              epochs: flags.epochs,
              seed: flags.seed,
              backend,
              checkpointEverySteps: flags.checkpointEvery,
              overrides: overrides(flags),
            },
            { db, paths, listener },
          )
        }
      } catch (error) {
        db.close()
        throw error instanceof UserFacingError
          ? error
          : new UserFacingError((error as Error).message)
      }
      const onSignal = (): void => {
        reporter.info('stopping: writing a checkpoint…')
        void session.stop()
      }
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
      try {
        const outcome = await session.done
        reporter.result(resultJson(outcome), () => humanSummary(outcome))
        if (outcome.run.status === 'failed') {
          throw new UserFacingError(
            `run ${outcome.run.id} failed: ${outcome.run.error ?? 'the training process ended without saying why'}`,
          )
        }
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
        reporter.close()
        db.close()
      }
    })
}

function overrides(flags: TrainFlags): { replicas?: number; batchSize?: number } | undefined {
  const o = {
    ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }),
    ...(flags.batchSize === undefined ? {} : { batchSize: flags.batchSize }),
  }
  return Object.keys(o).length > 0 ? o : undefined
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
