/** `encode`, `sample` and `reconstruct`: the trained model at work from the command line. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { Command } from 'commander'
import { comparisonPng, faceGridPng } from '../../export/faceGrid'
import { openExistingProject, type ProjectPaths } from '../../store/projectFolder'
import type { Db } from '../../store/database'
import { inProcessFaceModel } from '../../studio/faceModel'
import { encodeRun } from '../../studio/latent/faces'
import { loadRunModel, readImagesByFile, type RunModel } from '../../studio/runModel'
import { UsageError } from '../errors'
import { FORCE_HELP, finiteNumber, forced, intInRange, positiveInt } from '../options'
import { checkReplaceable } from '../../export/outputGuard'
import { MAX_SAMPLE_COUNT, MAX_SEED } from '../../../shared/limits'
import { createReporter, type Reporter } from '../report'

async function withModel<T>(
  project: string,
  runId: number | undefined,
  reporter: Reporter,
  work: (ctx: { db: Db; paths: ProjectPaths; model: RunModel }) => Promise<T>,
): Promise<T> {
  const { db, paths } = openExistingProject(project)
  try {
    const model = await loadRunModel(db, paths, runId)
    reporter.info(`run ${model.run.id} (step ${model.step}) on ${model.backend.backend}`)
    try {
      return await work({ db, paths, model })
    } finally {
      await model.dispose()
    }
  } finally {
    reporter.close()
    db.close()
  }
}

function writeOutput(file: string, data: Buffer, force: boolean): string {
  const path = resolve(file)
  checkReplaceable(path, 'png', { force })
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, data)
  return path
}

export function registerInference(program: Command): void {
  program
    .command('encode')
    .description(
      'encode every ingested image (μ and log σ²) with the run’s current checkpoint into the project database; latents from an earlier checkpoint are re-encoded',
    )
    .requiredOption('--project <DIR>', 'project folder')
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: { project: string; run?: number; json?: boolean }) => {
      const reporter = createReporter(flags.json === true)
      const controller = new AbortController()
      const onSignal = (): void => controller.abort()
      process.once('SIGINT', onSignal)
      try {
        await withModel(flags.project, flags.run, reporter, async ({ db, paths, model }) => {
          const result = await encodeRun(db, paths, inProcessFaceModel(model), {
            signal: controller.signal,
            onProgress: (update) => reporter.progress(update),
          })
          reporter.result(
            {
              run: model.run.id,
              step: result.step,
              latents: result.total,
              encoded: result.encoded,
            },
            () =>
              `run ${model.run.id} at step ${result.step}: ${result.total} latents (${result.encoded} newly encoded)`,
          )
        })
      } finally {
        process.off('SIGINT', onSignal)
      }
    })

  program
    .command('sample')
    .description('decode new faces drawn from the prior N(0, T²I) into a grid PNG')
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--out <FILE>', 'PNG file to write')
    .option('--force', FORCE_HELP)
    .option(
      '--count <N>',
      `number of faces (at most ${MAX_SAMPLE_COUNT})`,
      intInRange(1, MAX_SAMPLE_COUNT),
      16,
    )
    .option('--seed <S>', 'sampling seed', intInRange(0, MAX_SEED), 1)
    .option('--temperature <T>', 'standard deviation of the prior samples', finiteNumber, 1)
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(
      async (flags: {
        project: string
        out: string
        count: number
        seed: number
        temperature: number
        run?: number
        json?: boolean
      }) => {
        if (flags.temperature <= 0) throw new UsageError('--temperature must be > 0')
        if (flags.count > MAX_SAMPLE_COUNT) {
          throw new UsageError(`--count ${flags.count}: at most ${MAX_SAMPLE_COUNT} faces per grid`)
        }
        const reporter = createReporter(flags.json === true)
        await withModel(flags.project, flags.run, reporter, async ({ model }) => {
          const size = model.vae.config.size
          const faces = await model.vae.sampleAsync(flags.count, flags.seed, flags.temperature)
          const columns = Math.ceil(Math.sqrt(flags.count))
          const file = writeOutput(
            flags.out,
            await faceGridPng(faces, size, columns, size < 128 ? 2 : 1),
            forced(flags),
          )
          reporter.result(
            { run: model.run.id, file, count: flags.count },
            () => `wrote ${flags.count} samples to ${file}`,
          )
        })
      },
    )

  program
    .command('reconstruct')
    .description('originals above, their reconstructions below, as a PNG')
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--ids <FILES>', 'comma-separated image files, e.g. 000001.jpg,000002.jpg')
    .requiredOption('--out <FILE>', 'PNG file to write')
    .option('--force', FORCE_HELP)
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(
      async (flags: {
        project: string
        ids: string
        out: string
        run?: number
        json?: boolean
      }) => {
        const files = flags.ids
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f.length > 0)
        if (files.length === 0) throw new UsageError('--ids needs at least one image file name')
        const reporter = createReporter(flags.json === true)
        await withModel(flags.project, flags.run, reporter, async ({ db, paths, model }) => {
          const size = model.vae.config.size
          const originals = await readImagesByFile(db, paths, size, files)
          const png = await comparisonPng(
            originals,
            await model.vae.reconstructAsync(originals),
            size,
            size < 128 ? 2 : 1,
          )
          const file = writeOutput(flags.out, png, forced(flags))
          reporter.result(
            { run: model.run.id, file, images: files.length },
            () => `wrote ${files.length} reconstructions to ${file}`,
          )
        })
      },
    )
}
