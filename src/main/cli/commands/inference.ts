/** `encode`, `sample` and `reconstruct`: the trained model at work from the command line. */
import type { Command } from 'commander'
import { MAX_SAMPLE_COUNT, MAX_SEED } from '../../../shared/limits'
import { writePng } from '../../studio/latent/render'
import { UsageError } from '../errors'
import { FORCE_HELP, finiteNumber, forced, intInRange, positiveInt } from '../options'
import { createReporter, type Reporter } from '../report'
import { viewScale, withStudio, type CliStudio } from '../studio'

/** The command's studio on an existing project; the reporter closes with it. */
async function withReporter<T>(
  flags: { project: string; json?: boolean },
  work: (studio: CliStudio, reporter: Reporter) => Promise<T>,
): Promise<T> {
  const reporter = createReporter(flags.json === true)
  try {
    return await withStudio(flags.project, {}, (studio) => work(studio, reporter))
  } finally {
    reporter.close()
  }
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
      const controller = new AbortController()
      const onSignal = (): void => controller.abort()
      process.once('SIGINT', onSignal)
      try {
        await withReporter(flags, async (studio, reporter) => {
          const model = await studio.announceModel(reporter, flags.run)
          const result = await studio.service.latent.encoding.encodeNow(model.runId, {
            signal: controller.signal,
            onProgress: (update) => reporter.progress(update),
          })
          reporter.result(
            {
              run: model.runId,
              step: result.step,
              latents: result.total,
              encoded: result.encoded,
            },
            () =>
              `run ${model.runId} at step ${result.step}: ${result.total} latents (${result.encoded} newly encoded)`,
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
        await withReporter(flags, async (studio, reporter) => {
          const request = studio.parse('latent.sample', {
            runId: flags.run,
            count: flags.count,
            seed: flags.seed,
            temperature: flags.temperature,
          })
          const model = await studio.announceModel(reporter, flags.run)
          const grid = await studio.service.latent.sampleGrid(request, viewScale(model.size))
          const file = await writePng(flags.out, grid.png, { force: forced(flags) })
          reporter.result(
            { run: grid.runId, file, count: flags.count },
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
        await withReporter(flags, async (studio, reporter) => {
          const model = await studio.announceModel(reporter, flags.run)
          const request = studio.parse('latent.reconstruct', {
            runId: model.runId,
            imageIds: await Promise.all(files.map((file) => studio.imageIdOf(file))),
          })
          const png = await studio.service.latent.reconstruction(request, viewScale(model.size))
          const file = await writePng(flags.out, png, { force: forced(flags) })
          reporter.result(
            { run: model.runId, file, images: files.length },
            () => `wrote ${files.length} reconstructions to ${file}`,
          )
        })
      },
    )
}
