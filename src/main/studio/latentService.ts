import type { MethodName } from '../../shared/contract'
import type { latentMethods } from '../../shared/contractLatent'
import type { ApiPart, In, Out, StudioContext } from './context'
import { resolveRun } from '../store/runs'
import type { FaceModel } from './faceModel'
import { EncodeJobs } from './latent/encodeJobs'
import { latentStatus } from './latent/encodeStatus'
import { sampleLatent } from '../../shared/latent'
import { datasetCrop, decodeToDataUrls, resolveSource } from './latent/faces'
import { countRunLatents, NoLatentsError } from './latent/latentData'
import { openImageCache } from '../dataset/imageCache'
import { comparisonPng, faceGridPng, pngDataUrl } from '../export/faceGrid'
import { cachedMap, checkMapMethod, colourName, computeMap, mapColours } from './latent/maps'
import {
  nearestFaces,
  neighboursPng,
  queryFace,
  stripPng,
  type NeighbourItem,
} from './latent/operations'
import { writePng } from './latent/render'
import { runStatistics } from './latent/statistics'
import { toBase64 } from './latent/analysisCache'
import { attributeVectorSet, editLatent } from './latent/vectors'
import { resolveSaveTarget } from './saveTarget'

type LatentMethodName = keyof typeof latentMethods & MethodName

export const LATENT_METHOD_NAMES = [
  'latent.encode',
  'latent.status',
  'latent.sample',
  'latent.resolve',
  'latent.reconstruct',
  'latent.decode',
  'latent.edit',
  'latent.vectors',
  'latent.strip',
  'latent.statistics',
  'latent.map',
  'latent.mapResult',
  'latent.neighbours',
] as const satisfies readonly LatentMethodName[]

function checkDim(model: FaceModel, latent: readonly number[]): Float32Array {
  if (latent.length !== model.latentDim) {
    throw new Error(
      `the latent has ${latent.length} values; run ${model.runId} uses ${model.latentDim}`,
    )
  }
  return Float32Array.from(latent)
}

/**
 * The latent-space part of the contract. Models run in the inference process (ModelHost);
 * analyses read the run's latents from SQLite and cache slow results there; 2-D maps run as a
 * cancellable 'analysis' job with progress.
 */
export class LatentService implements ApiPart<LatentMethodName> {
  readonly encoding: EncodeJobs

  constructor(readonly ctx: StudioContext) {
    this.encoding = new EncodeJobs(ctx)
  }

  private model(runId?: number): Promise<FaceModel> {
    const { db, paths } = this.ctx.requireProject()
    return this.ctx.models.forRun(db, paths, runId)
  }

  /** The run a request means: the given one, else the newest trained one (or why there is none). */
  runId(runId?: number): number {
    const { db, paths } = this.ctx.requireProject()
    return resolveRun(db, paths, runId).id
  }

  async ['latent.encode'](input: In<'latent.encode'>): Out<'latent.encode'> {
    return { jobId: await this.encoding.start(this.runId(input.runId)) }
  }

  async ['latent.status'](input: In<'latent.status'>): Out<'latent.status'> {
    const { db, paths } = this.ctx.requireProject()
    return latentStatus(db, paths, input.runId, this.encoding.jobId)
  }

  async ['latent.reconstruct'](input: In<'latent.reconstruct'>): Out<'latent.reconstruct'> {
    return { image: pngDataUrl(await this.reconstruction(input)) }
  }

  /** The figure `latent.reconstruct` shows, as PNG bytes; `scale` enlarges it (the CLI's files). */
  async reconstruction(input: In<'latent.reconstruct'>, scale = 1): Promise<Buffer> {
    const { db, paths } = this.ctx.requireProject()
    const model = await this.model(input.runId)
    const cache = openImageCache(db, paths, model.size, datasetCrop(db))
    try {
      const originals = await cache.readBatch(input.imageIds)
      const { mu } = await model.encode(originals)
      return await comparisonPng(originals, await model.decode(mu), model.size, scale)
    } finally {
      await cache.close()
    }
  }

  async ['latent.sample'](input: In<'latent.sample'>): Out<'latent.sample'> {
    const { model, seeds, latents } = await this.drawSamples(input)
    const dim = model.latentDim
    const images = await decodeToDataUrls(model, latents)
    return {
      runId: model.runId,
      faces: seeds.map((seed, i) => ({
        runId: model.runId,
        latent: Array.from(latents.subarray(i * dim, (i + 1) * dim)),
        image: images[i] as string,
        label: `sample ${seed} (T ${input.temperature})`,
      })),
    }
  }

  /** The faces `latent.sample` draws, as one grid PNG (`scale` enlarges it; the CLI's files). */
  async sampleGrid(input: In<'latent.sample'>, scale = 1): Promise<{ runId: number; png: Buffer }> {
    const { model, latents } = await this.drawSamples(input)
    const columns = Math.ceil(Math.sqrt(input.count))
    const png = await faceGridPng(await model.decode(latents), model.size, columns, scale)
    return { runId: model.runId, png }
  }

  /**
   * A face and its k nearest dataset faces (itself left out) as one captioned PNG, the face shown as
   * it is: a dataset image's cached pixels, or the photo (the CLI's `neighbours`).
   */
  async neighboursFigure(input: {
    runId?: number
    source: { kind: 'image'; imageId: number } | { kind: 'file'; path: string }
    k: number
  }): Promise<{ png: Buffer; label: string; items: NeighbourItem[] }> {
    const { db, paths } = this.ctx.requireProject()
    const model = await this.model(input.runId)
    const face = await queryFace(db, paths, model, input.source)
    const items = nearestFaces(
      db,
      paths.root,
      model.runId,
      face.latent,
      input.k,
      face.imageId ?? undefined,
    )
    const png = await neighboursPng(db, paths, model.size, face.rgb, face.label, items)
    return { png, label: face.label, items }
  }

  /** The run's model, loaded (or kept) in the inference process: which run, step and backend. */
  async loadModel(runId?: number): Promise<FaceModel> {
    return this.model(runId)
  }

  /**
   * Prior samples with seeds seed, seed + 1, …, each drawn by the engine's seeded Rng, so a seed
   * gives the same face here, in a morph's `sample:SEED` and on the command line.
   */
  private async drawSamples(
    input: In<'latent.sample'>,
  ): Promise<{ model: FaceModel; seeds: number[]; latents: Float32Array }> {
    const model = await this.model(input.runId)
    const dim = model.latentDim
    const latents = new Float32Array(input.count * dim)
    const seeds = Array.from({ length: input.count }, (_, i) => (input.seed + i) >>> 0)
    seeds.forEach((seed, i) => latents.set(sampleLatent(dim, seed, input.temperature), i * dim))
    return { model, seeds, latents }
  }

  async ['latent.resolve'](input: In<'latent.resolve'>): Out<'latent.resolve'> {
    const { db, paths } = this.ctx.requireProject()
    const model = await this.model(input.runId)
    const face = await resolveSource(db, paths, model, input.source)
    const [image] = await decodeToDataUrls(model, face.latent)
    return {
      runId: model.runId,
      latent: Array.from(face.latent),
      image: image as string,
      label: face.label,
    }
  }

  async ['latent.decode'](input: In<'latent.decode'>): Out<'latent.decode'> {
    const model = await this.model(input.runId)
    const [image] = await decodeToDataUrls(model, checkDim(model, input.latent))
    return { image: image as string }
  }

  async ['latent.edit'](input: In<'latent.edit'>): Out<'latent.edit'> {
    const { db, paths } = this.ctx.requireProject()
    const model = await this.model(input.runId)
    const latent = checkDim(model, input.latent)
    const edited =
      input.edits.length === 0
        ? latent
        : editLatent(
            (method) => attributeVectorSet(db, paths.root, model.runId, method),
            latent,
            input.edits,
          )
    const [image] = await decodeToDataUrls(model, edited)
    return { latent: Array.from(edited), image: image as string }
  }

  async ['latent.vectors'](input: In<'latent.vectors'>): Out<'latent.vectors'> {
    const { db, paths } = this.ctx.requireProject()
    const method = input.method ?? 'mean-diff'
    const set = attributeVectorSet(db, paths.root, this.runId(input.runId), method)
    return {
      runId: set.runId,
      method,
      latents: set.latents,
      aucSplit: set.aucSplit,
      aucLatents: set.aucLatents,
      cached: set.cached,
      attributes: set.names.map((name, a) => ({
        name,
        auc: set.aucs[a] ?? null,
        positives: set.positives[a] as number,
        negatives: set.negatives[a] as number,
        custom: set.custom?.[a] ?? false,
      })),
    }
  }

  async ['latent.strip'](input: In<'latent.strip'>): Out<'latent.strip'> {
    const { db, paths } = this.ctx.requireProject()
    const model = await this.model(input.runId)
    const set = attributeVectorSet(db, paths.root, model.runId)
    const face = await resolveSource(db, paths, model, input.source)
    const png = await stripPng(model, set, face.latent, {
      attribute: input.attribute,
      orthogonalTo: input.orthogonalTo,
      from: input.from,
      to: input.to,
      steps: input.steps,
    })
    const saved = input.save
      ? await resolveSaveTarget(
          this.ctx.requireProject(),
          input.save,
          {
            kind: 'png',
            ending: '.png',
            fallbackName: `${input.attribute.toLowerCase()}-strip.png`,
          },
          this.ctx.pickSavePath,
        )
      : null
    const file = saved ? await writePng(saved.path, png, { force: saved.download === null }) : null
    return { image: pngDataUrl(png), file, download: saved?.download ?? null }
  }

  async ['latent.statistics'](input: In<'latent.statistics'>): Out<'latent.statistics'> {
    const { db, paths } = this.ctx.requireProject()
    return runStatistics(db, paths.root, this.runId(input.runId), input.dims, input.bins)
  }

  async ['latent.map'](input: In<'latent.map'>): Out<'latent.map'> {
    const { db, paths } = this.ctx.requireProject()
    const runId = this.runId(input.runId)
    checkMapMethod(input.method)
    if (cachedMap(db, runId, input.method, input.limit)) return { jobId: null, cached: true }
    if (countRunLatents(db, runId) === 0) throw new NoLatentsError(runId, paths.root)
    const { jobId } = this.ctx.jobs.start('analysis', (control) =>
      computeMap(db, paths.root, runId, input.method, input.limit, control),
    )
    return { jobId, cached: false }
  }

  async ['latent.mapResult'](input: In<'latent.mapResult'>): Out<'latent.mapResult'> {
    const { db } = this.ctx.requireProject()
    const runId = this.runId(input.runId)
    checkMapMethod(input.method)
    const map = cachedMap(db, runId, input.method, input.limit)
    if (!map) return null
    return {
      runId,
      method: input.method,
      points: map.points,
      seconds: map.seconds,
      coords: toBase64(map.coords),
      imageIds: toBase64(map.imageIds),
      colors: input.colorBy ? toBase64(mapColours(db, map.imageIds, input.colorBy, runId)) : null,
      colorBy: input.colorBy ? colourName(db, runId, input.colorBy) : null,
    }
  }

  async ['latent.neighbours'](input: In<'latent.neighbours'>): Out<'latent.neighbours'> {
    const { db, paths } = this.ctx.requireProject()
    const runId = this.runId(input.runId)
    return { items: nearestFaces(db, paths.root, runId, input.latent, input.k) }
  }
}
