/**
 * `vectors`, `edit`, `map`, `hist` and `neighbours`: the latent space from the command line, through
 * the same orchestration as the studio (src/main/studio/latent) with the model in this process.
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InvalidArgumentError } from 'commander'
import { mapMethodSchema, type MapMethod } from '../../../shared/contractLatent'
import { findCustomAttributeRow } from '../../store/customAttributes'
import type { Db } from '../../store/database'
import { openExistingProject, type ProjectPaths } from '../../store/projectFolder'
import { inProcessFaceModel, resolveRun, type FaceModel } from '../../studio/faceModel'
import { datasetLatent, datasetCrop, encodeImageFile } from '../../studio/latent/faces'
import {
  attributeIndexIn,
  attributeNames,
  findImage,
  NoLatentsError,
} from '../../studio/latent/latentData'
import { computeMap, mapColours } from '../../studio/latent/maps'
import { nearestFaces, neighboursPng, stripPng } from '../../studio/latent/operations'
import { histogramGridSvg, scatterSvg } from '../../studio/latent/plots'
import { svgToPng, writePng } from '../../studio/latent/render'
import { FORCE_HELP, forced } from '../options'
import { runStatistics } from '../../studio/latent/statistics'
import {
  attributeDirection,
  attributeVectorSet,
  DIRECTION_METHODS,
  type DirectionMethod,
} from '../../studio/latent/vectors'
import { openImageCache } from '../../dataset/imageCache'
import { loadRunModel } from '../../studio/runModel'
import { UsageError } from '../errors'
import { oneOf, positiveInt } from '../options'
import { createReporter, type Reporter } from '../report'

const METHOD_NAMES: Record<MapMethod, string> = { pca: 'PCA', umap: 'UMAP', tsne: 't-SNE' }

export interface ProjectFlags {
  project: string
  run?: number
  json?: boolean
}

/** Opens the project and resolves the run for a command's work; closes both afterwards. */
export async function withProject<T>(
  flags: ProjectFlags,
  work: (ctx: { db: Db; paths: ProjectPaths; runId: number; reporter: Reporter }) => Promise<T>,
): Promise<T> {
  const reporter = createReporter(flags.json === true)
  const { db, paths } = openExistingProject(flags.project)
  try {
    const runId = resolveRun(db, paths, flags.run).id
    return await work({ db, paths, runId, reporter })
  } catch (error) {
    // The studio offers an Encode button; here the remedy is a command.
    if (error instanceof NoLatentsError) {
      throw new Error(
        `${error.message}: run \`face-studio encode --project ${error.projectRoot} --run ${error.runId}\` first`,
        { cause: error },
      )
    }
    throw error
  } finally {
    reporter.close()
    db.close()
  }
}

async function withFaceModel<T>(
  db: Db,
  paths: ProjectPaths,
  runId: number,
  reporter: Reporter,
  work: (model: FaceModel) => Promise<T>,
): Promise<T> {
  const loaded = await loadRunModel(db, paths, runId)
  reporter.info(`run ${loaded.run.id} (step ${loaded.step}) on ${loaded.backend.backend}`)
  try {
    return await work(inProcessFaceModel(loaded))
  } finally {
    await loaded.dispose()
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

async function queryFace(
  db: Db,
  paths: ProjectPaths,
  model: FaceModel,
  flags: FaceFlags,
): Promise<{ latent: Float32Array; rgb: Uint8Array; label: string; imageId?: number }> {
  if (flags.image !== undefined) {
    const path = resolve(flags.image)
    const { latent, pixels } = await encodeImageFile(db, model, path)
    return { latent, rgb: pixels, label: 'your photo' }
  }
  const image = findImage(db, paths.root, flags.id as string)
  const cache = openImageCache(db, paths, model.size, datasetCrop(db))
  let rgb: Uint8Array
  try {
    rgb = await cache.readBatch([image.id])
  } finally {
    await cache.close()
  }
  return {
    latent: await datasetLatent(db, paths, model, image.id),
    rgb,
    label: image.file.split('/').pop() ?? image.file,
    imageId: image.id,
  }
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
      oneOf(DIRECTION_METHODS),
      'mean-diff',
    )
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (flags: ProjectFlags & { method: DirectionMethod }) => {
      await withProject(flags, async ({ db, paths, runId, reporter }) => {
        const set = attributeVectorSet(db, paths.root, runId, flags.method)
        if (set.aucSplit !== 'test')
          reporter.info(
            `the test split is empty: AUCs are measured on a ${set.aucSplit} share of the faces (${set.aucLatents}), the vectors come from the rest`,
          )
        const attributes = Object.fromEntries(
          set.names.map((name, a) => [
            name,
            { auc: set.aucs[a] ?? null, positives: set.positives[a], negatives: set.negatives[a] },
          ]),
        )
        reporter.result(
          {
            run: runId,
            method: flags.method,
            latents: set.latents,
            aucSplit: set.aucSplit,
            aucLatents: set.aucLatents,
            cached: set.cached,
            attributes,
          },
          () =>
            [
              `run ${runId}: ${set.names.length} ${flags.method} attribute vectors from ${set.latents} latents (AUC on ${set.aucSplit === 'test' ? 'the test split' : `a ${set.aucSplit} share`}, ${set.aucLatents} faces)`,
              ...set.names.map(
                (name, a) =>
                  `  ${name.padEnd(22)} AUC ${set.aucs[a] == null ? '  –  ' : (set.aucs[a] as number).toFixed(3)}  +${set.positives[a]} / −${set.negatives[a]}`,
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
        await withProject(flags, async ({ db, paths, runId, reporter }) => {
          const set = attributeVectorSet(db, paths.root, runId)
          // Names are checked before the (slow) model load.
          attributeDirection(set, flags.attr, flags.orthogonalTo ?? [])
          await withFaceModel(db, paths, runId, reporter, async (model) => {
            const face = await queryFace(db, paths, model, flags)
            const png = await stripPng(model, set, face.latent, {
              attribute: flags.attr,
              orthogonalTo: flags.orthogonalTo ?? [],
              ...flags.strength,
            })
            const file = await writePng(flags.out, png, { force: forced(flags) })
            const attribute = set.names[attributeIndexIn(set.names, flags.attr)]
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
        await withProject(flags, async ({ db, paths, runId, reporter }) => {
          const names = attributeNames(db)
          const own = flags.color ? findCustomAttributeRow(db, runId, flags.color) : null
          const colour = own
            ? own.name
            : flags.color
              ? names[attributeIndexIn(names, flags.color)]
              : undefined
          const controller = new AbortController()
          const onSignal = (): void => controller.abort()
          process.once('SIGINT', onSignal)
          let map: Awaited<ReturnType<typeof computeMap>>
          try {
            map = await computeMap(db, paths.root, runId, flags.method, flags.limit, {
              signal: controller.signal,
              onProgress: (update) => reporter.progress(update),
            })
          } finally {
            process.off('SIGINT', onSignal)
          }
          const colours = colour ? mapColours(db, map.imageIds, colour, runId) : null
          const label = flags.method === 'pca' ? 'PC' : METHOD_NAMES[flags.method]
          const svg = scatterSvg({
            coords: map.coords,
            colours,
            attribute: colour ?? null,
            title: `${METHOD_NAMES[flags.method]} of run ${runId}: ${map.points} faces${colour ? `, coloured by ${colour}` : ''}`,
            xLabel: `${label} 1`,
            yLabel: `${label} 2`,
          })
          const file = await writePng(flags.out, await svgToPng(svg), { force: forced(flags) })
          reporter.result(
            {
              run: runId,
              method: flags.method,
              points: map.points,
              seconds: map.seconds,
              cached: map.cached,
              file,
            },
            () =>
              `wrote a ${flags.method} map of ${map.points} faces to ${file} (${map.seconds.toFixed(1)} s${map.cached ? ', cached' : ''})`,
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
      await withProject(flags, async ({ db, paths, runId, reporter }) => {
        const stats = runStatistics(db, paths.root, runId, flags.dims, flags.bins)
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
      await withProject(flags, async ({ db, paths, runId, reporter }) => {
        await withFaceModel(db, paths, runId, reporter, async (model) => {
          const face = await queryFace(db, paths, model, flags)
          const items = nearestFaces(db, paths.root, runId, face.latent, flags.k, face.imageId)
          const png = await neighboursPng(db, paths, model.size, face.rgb, face.label, items)
          const file = await writePng(flags.out, png, { force: forced(flags) })
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
              `wrote ${face.label} and its ${items.length} nearest faces to ${file}: ${items.map((i) => i.file).join(', ')}`,
          )
        })
      })
    })
}
