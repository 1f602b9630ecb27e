/**
 * `vectors`, `edit`, `map`, `hist` and `neighbours`: the latent space from the command line, through
 * the studio's latent operations (src/main/studio/latentService) as the page calls them.
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InvalidArgumentError } from 'commander'
import {
  directionMethodSchema,
  mapMethodSchema,
  type DirectionMethodName,
  type MapMethod,
} from '../../../shared/contractLatent'
import { float32FromBase64 } from '../../studio/latent/analysisCache'
import { attributeIndexIn } from '../../studio/latent/latentData'
import { histogramGridSvg, scatterSvg } from '../../studio/latent/plots'
import { svgToPng, writePng } from '../../studio/latent/render'
import { UsageError } from '../errors'
import { FORCE_HELP, forced, oneOf, positiveInt } from '../options'
import { createReporter, type Reporter } from '../report'
import { withStudio, type CliStudio } from '../studio'

const METHOD_NAMES: Record<MapMethod, string> = { pca: 'PCA', umap: 'UMAP', tsne: 't-SNE' }

export interface ProjectFlags {
  project: string
  run?: number
  json?: boolean
}

/** The command's studio on an existing project, with the run it works on; closes both afterwards. */
export async function withProject<T>(
  flags: ProjectFlags,
  work: (ctx: { studio: CliStudio; runId: number; reporter: Reporter }) => Promise<T>,
): Promise<T> {
  const reporter = createReporter(flags.json === true)
  try {
    return await withStudio(flags.project, {}, (studio) =>
      work({ studio, runId: studio.service.latent.runId(flags.run), reporter }),
    )
  } finally {
    reporter.close()
  }
}

/** `FROM:TO:STEPS`, e.g. -4:4:9. */
export function strengthRange(value: string): { from: number; to: number; steps: number } {
  const parts = value.split(':').map(Number)
  const [from, to, steps] = parts as [number, number, number]
  if (
    parts.length !== 3 ||
    !Number.isFinite(from) ||
    !Number.isFinite(to) ||
    !Number.isInteger(steps) ||
    steps < 2 ||
    steps > 33 ||
    Math.abs(from) > 8 ||
    Math.abs(to) > 8
  ) {
    throw new InvalidArgumentError(
      `expected FROM:TO:STEPS with -8 ≤ FROM, TO ≤ 8 and 2 ≤ STEPS ≤ 33 (e.g. -4:4:9), got "${value}"`,
    )
  }
  return { from, to, steps }
}

function nameList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/** The face a command starts from: a dataset image (--id) or the user's own photo (--image). */
interface FaceFlags {
  id?: string
  image?: string
}

function checkFaceFlags(flags: FaceFlags): void {
  if ((flags.id === undefined) === (flags.image === undefined))
    throw new UsageError('give exactly one of --id FILE (a dataset image) or --image PATH')
}

async function faceSource(
  studio: CliStudio,
  flags: FaceFlags,
): Promise<{ kind: 'image'; imageId: number } | { kind: 'file'; path: string }> {
  if (flags.image !== undefined) return { kind: 'file', path: resolve(flags.image) }
  return { kind: 'image', imageId: await studio.imageIdOf(flags.id as string) }
}

/** A PNG data URL's bytes, as the studio encoded them. */
function pngBytes(dataUrl: string): Buffer {
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64')
}

export function registerLatent(program: Command): void {
  program
    .command('vectors')
    .description(
      'attribute vectors from the encoded latents, each with its ROC AUC on the test split (or a held-out 10 % without one)',
    )
    .requiredOption('--project <DIR>', 'project folder')
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option(
      '--method <M>',
      'mean-diff (the seed’s difference of class means) or linear (a logistic-regression normal)',
      oneOf(directionMethodSchema.options),
      'mean-diff',
    )
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: ProjectFlags & { method: DirectionMethodName }) => {
      await withProject(flags, async ({ studio, runId, reporter }) => {
        const set = await studio.call('latent.vectors', { runId, method: flags.method })
        const aucLatents = set.aucLatents ?? 0
        if (set.aucSplit !== 'test')
          reporter.info(
            `the test split is empty: AUCs are measured on a ${set.aucSplit} share of the faces (${aucLatents}), the vectors come from the rest`,
          )
        const attributes = Object.fromEntries(
          set.attributes.map((a) => [
            a.name,
            { auc: a.auc, positives: a.positives, negatives: a.negatives },
          ]),
        )
        reporter.result(
          {
            run: runId,
            method: flags.method,
            latents: set.latents,
            aucSplit: set.aucSplit,
            aucLatents,
            cached: set.cached ?? false,
            attributes,
          },
          () =>
            [
              `run ${runId}: ${set.attributes.length} ${flags.method} attribute vectors from ${set.latents} latents (AUC on ${set.aucSplit === 'test' ? 'the test split' : `a ${set.aucSplit} share`}, ${aucLatents} faces)`,
              ...set.attributes.map(
                (a) =>
                  `  ${a.name.padEnd(22)} AUC ${a.auc === null ? '  –  ' : a.auc.toFixed(3)}  +${a.positives} / −${a.negatives}`,
              ),
            ].join('\n'),
        )
      })
    })

  program
    .command('edit')
    .description('a strip of one face moved along an attribute direction, strengths captioned')
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--attr <NAME>', 'attribute, e.g. Smiling')
    .requiredOption('--out <FILE>', 'PNG file to write')
    .option('--force', FORCE_HELP)
    .option('--id <FILE>', 'a dataset image, e.g. 000010.jpg')
    .option('--image <PATH>', 'your own photo (any size; cropped as the dataset was)')
    .option('--strength <FROM:TO:STEPS>', 'strengths', strengthRange, { from: -4, to: 4, steps: 9 })
    .option(
      '--orthogonal-to <NAMES>',
      'keep these attributes unchanged (comma-separated)',
      nameList,
    )
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(
      async (
        flags: ProjectFlags &
          FaceFlags & {
            attr: string
            out: string
            strength: { from: number; to: number; steps: number }
            orthogonalTo?: string[]
          },
      ) => {
        checkFaceFlags(flags)
        await withProject(flags, async ({ studio, runId, reporter }) => {
          // Names are checked before the (slow) model load.
          const names = (await studio.call('latent.vectors', { runId })).attributes.map(
            (a) => a.name,
          )
          const attribute = names[attributeIndexIn(names, flags.attr)]
          for (const name of flags.orthogonalTo ?? []) attributeIndexIn(names, name)
          await studio.announceModel(reporter, runId)
          const strip = await studio.call('latent.strip', {
            runId,
            source: await faceSource(studio, flags),
            attribute: flags.attr,
            orthogonalTo: flags.orthogonalTo ?? [],
            ...flags.strength,
          })
          const file = await writePng(flags.out, pngBytes(strip.image), { force: forced(flags) })
          reporter.result(
            {
              run: runId,
              file,
              attribute,
              orthogonalTo: flags.orthogonalTo ?? [],
              strengths: flags.strength,
            },
            () => `wrote a ${flags.strength.steps}-step ${attribute} strip to ${file}`,
          )
        })
      },
    )

  program
    .command('map')
    .description(
      'a 2-D map of the latents (PCA, UMAP or t-SNE), coloured by an attribute, as a PNG',
    )
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--method <M>', 'pca, umap or tsne', oneOf(mapMethodSchema.options))
    .requiredOption('--out <FILE>', 'PNG file to write')
    .option('--force', FORCE_HELP)
    .option('--limit <N>', 'map only the first N encoded faces', positiveInt)
    .option('--color <NAME>', 'colour points by this attribute, e.g. Smiling')
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(
      async (
        flags: ProjectFlags & { method: MapMethod; out: string; limit?: number; color?: string },
      ) => {
        await withProject(flags, async ({ studio, runId, reporter }) => {
          const request = { runId, method: flags.method, limit: flags.limit }
          const started = await studio.call('latent.map', request)
          if (started.jobId) await studio.finishJob(started.jobId, reporter)
          const map = await studio.call('latent.mapResult', { ...request, colorBy: flags.color })
          if (!map) throw new Error(`the ${flags.method} map of run ${runId} was not kept`)
          const colour = map.colorBy ?? undefined
          const label = flags.method === 'pca' ? 'PC' : METHOD_NAMES[flags.method]
          const svg = scatterSvg({
            coords: float32FromBase64(map.coords),
            colours: map.colors === null ? null : new Int8Array(Buffer.from(map.colors, 'base64')),
            attribute: colour ?? null,
            title: `${METHOD_NAMES[flags.method]} of run ${runId}: ${map.points} faces${colour ? `, coloured by ${colour}` : ''}`,
            xLabel: `${label} 1`,
            yLabel: `${label} 2`,
          })
          const file = await writePng(flags.out, await svgToPng(svg), { force: forced(flags) })
          const cached = started.cached
          reporter.result(
            {
              run: runId,
              method: flags.method,
              points: map.points,
              seconds: map.seconds,
              cached,
              file,
            },
            () =>
              `wrote a ${flags.method} map of ${map.points} faces to ${file} (${map.seconds.toFixed(1)} s${cached ? ', cached' : ''})`,
          )
        })
      },
    )

  program
    .command('hist')
    .description('histograms of μ per latent dimension against N(0, 1), as a PNG')
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--out <FILE>', 'PNG file to write')
    .option('--force', FORCE_HELP)
    .option('--dims <N>', 'how many dimensions to plot', positiveInt, 30)
    .option('--bins <N>', 'bins per histogram', positiveInt, 40)
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: ProjectFlags & { out: string; dims: number; bins: number }) => {
      if (flags.bins < 5 || flags.bins > 200) throw new UsageError('--bins must be 5…200')
      await withProject(flags, async ({ studio, runId, reporter }) => {
        const stats = await studio.call('latent.statistics', {
          runId,
          dims: flags.dims,
          bins: flags.bins,
        })
        const svg = histogramGridSvg(
          stats.histograms.map((h) => ({ ...h, kl: stats.klPerDimension[h.dim] })),
          `μ per dimension of run ${runId} (${stats.images} faces) vs N(0, 1); ${stats.activeUnits}/${stats.dim} active units`,
        )
        const file = await writePng(flags.out, await svgToPng(svg), { force: forced(flags) })
        reporter.result(
          {
            run: runId,
            file,
            dims: stats.histograms.length,
            images: stats.images,
            activeUnits: stats.activeUnits,
            latentDim: stats.dim,
          },
          () => `wrote ${stats.histograms.length} histograms to ${file}`,
        )
      })
    })

  program
    .command('neighbours')
    .description('a face and its k nearest dataset faces in latent space, as a PNG')
    .requiredOption('--project <DIR>', 'project folder')
    .requiredOption('--out <FILE>', 'PNG file to write')
    .option('--force', FORCE_HELP)
    .option('--id <FILE>', 'a dataset image, e.g. 000010.jpg')
    .option('--image <PATH>', 'your own photo')
    .option('--k <K>', 'how many neighbours', positiveInt, 8)
    .option('--run <R>', 'run id (default: the newest trained run)', positiveInt)
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: ProjectFlags & FaceFlags & { out: string; k: number }) => {
      checkFaceFlags(flags)
      if (flags.k > 64) throw new UsageError('--k must be at most 64')
      await withProject(flags, async ({ studio, runId, reporter }) => {
        const source = await faceSource(studio, flags)
        await studio.announceModel(reporter, runId)
        const figure = await studio.service.latent.neighboursFigure({ runId, source, k: flags.k })
        const items = figure.items
        const file = await writePng(flags.out, figure.png, { force: forced(flags) })
        reporter.result(
          {
            run: runId,
            file,
            neighbours: items.map(({ file: f, imageId, distance }) => ({
              file: f,
              imageId,
              distance,
            })),
          },
          () =>
            `wrote ${figure.label} and its ${items.length} nearest faces to ${file}: ${items.map((i) => i.file).join(', ')}`,
        )
      })
    })
}
