import type { MethodName, MethodOutput, MethodParsedInput } from '../../shared/contract'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { FaceSource } from '../../shared/contractLatent'
import type { ExportFormat, morphMethods } from '../../shared/contractMorph'
import type { TaskControl } from '../../shared/progress'
import type { ApiPart, OpenProject, StudioContext } from './context'
import type { FaceModel } from './faceModel'
import { checkLatentSize } from './morph/decodeFaces'
import { originalFaces, resolveKeyframes } from './morph/faceSources'
import { uniformTimeline, type UniformTimelineOptions } from './morph/simpleTimeline'
import { parseSourceArg } from './morph/sourceArgs'
import { checkMorphBudget } from './morph/framePlan'
import {
  estimateMorph,
  exportMorph,
  OUTPUT_KIND,
  type MorphExportResult,
  type MorphRenderOptions,
} from './morph/morphExport'
import { resolveSaveTarget } from './saveTarget'
import { FORMAT_ENDING } from '../../shared/contractMorph'
import { checkFileTarget, checkSequenceTarget } from './morph/outputTarget'
import { pngDataUrl } from '../export/faceGrid'
import { morphFramePng } from './morph/preview'
import { deleteTimeline, getTimeline, listTimelines, saveTimeline } from '../store/timelines'

type MorphMethodName = keyof typeof morphMethods & MethodName

export const MORPH_METHOD_NAMES = [
  'timelines.list',
  'timelines.get',
  'timelines.save',
  'timelines.delete',
  'morph.frame',
  'morph.estimate',
  'morph.export',
] as const satisfies readonly MorphMethodName[]

type ExportInput = MethodParsedInput<'morph.estimate'>

/** The morph-timeline part of the contract. */
export class MorphService implements ApiPart<MorphMethodName> {
  constructor(readonly ctx: StudioContext) {}

  async ['timelines.list'](): Promise<MethodOutput<'timelines.list'>> {
    return listTimelines(this.ctx.requireProject().db)
  }

  async ['timelines.get'](
    input: MethodParsedInput<'timelines.get'>,
  ): Promise<MethodOutput<'timelines.get'>> {
    return getTimeline(this.ctx.requireProject().db, input.id)
  }

  async ['timelines.save'](
    input: MethodParsedInput<'timelines.save'>,
  ): Promise<MethodOutput<'timelines.save'>> {
    const { id, ...value } = input
    return { id: saveTimeline(this.ctx.requireProject().db, value, id) }
  }

  async ['timelines.delete'](
    input: MethodParsedInput<'timelines.delete'>,
  ): Promise<MethodOutput<'timelines.delete'>> {
    return { ok: deleteTimeline(this.ctx.requireProject().db, input.id) }
  }

  async ['morph.frame'](
    input: MethodParsedInput<'morph.frame'>,
  ): Promise<MethodOutput<'morph.frame'>> {
    const { model } = await this.model(input.runId)
    return { image: pngDataUrl(await morphFramePng(model, input.timeline, input.position)) }
  }

  async ['morph.estimate'](input: ExportInput): Promise<MethodOutput<'morph.estimate'>> {
    checkMorphBudget(input.timeline, input.format, input.size)
    const { project, model } = await this.model(input.runId)
    return estimateMorph(model, await this.renderOptions(project, model, input))
  }

  async ['morph.export'](
    input: MethodParsedInput<'morph.export'>,
  ): Promise<MethodOutput<'morph.export'>> {
    checkMorphBudget(input.timeline, input.format, input.size)
    const { project, model } = await this.model(input.runId)
    // Problems the user can fix come back from the call itself, not as a failed job.
    checkLatentSize(
      model,
      input.timeline.keyframes.map((k) => k.latent),
    )
    const ending = FORMAT_ENDING[input.format]
    const saved = await resolveSaveTarget(
      project,
      input.target,
      {
        kind: input.format === 'png-sequence' ? 'png-sequence' : OUTPUT_KIND[input.format],
        ending,
        fallbackName: ending === '' ? 'morph-frames' : `morph${ending}`,
      },
      this.ctx.pickSavePath,
    )
    if (!saved) return { jobId: null, file: null, download: null }
    if (input.format === 'png-sequence') checkSequenceTarget(saved.path)
    else checkFileTarget(saved.path)
    const options = await this.renderOptions(project, model, input)
    const force = saved.download === null
    const { jobId } = this.ctx.jobs.start('export', (control) =>
      exportMorph(model, { ...options, path: saved.path, force }, control),
    )
    // A sequence is a folder: it stays in exports/ rather than being offered as one download.
    const download = input.format === 'png-sequence' ? null : saved.download
    return { jobId, file: saved.path, download }
  }

  /** A face source as the command line types it: a dataset file name, a photo or `sample:SEED`. */
  sourceOf(arg: string): FaceSource {
    const { db, paths } = this.ctx.requireProject()
    return parseSourceArg(db, paths, arg)
  }

  /**
   * A morph between face sources, written where the command line says and in the foreground: the
   * keyframes resolved as the studio resolves them, the export as `morph.export` renders it.
   */
  async exportToPath(
    request: {
      runId?: number
      sources: readonly FaceSource[]
      timeline: UniformTimelineOptions
      format: ExportFormat
      size: number
      sharpen: boolean
      loop: number
      path: string
      force: boolean
    },
    control: TaskControl = {},
  ): Promise<MorphExportResult> {
    const { project, model } = await this.model(request.runId)
    const keyframes = await resolveKeyframes(project.db, project.paths, model, request.sources)
    mkdirSync(dirname(request.path), { recursive: true })
    return exportMorph(
      model,
      {
        timeline: uniformTimeline(keyframes, request.timeline),
        format: request.format,
        path: request.path,
        force: request.force,
        size: request.size,
        sharpen: request.sharpen,
        loop: request.loop,
        originals: [
          keyframes[0]?.original ?? null,
          keyframes[keyframes.length - 1]?.original ?? null,
        ],
      },
      control,
    )
  }

  private async model(runId?: number): Promise<{ project: OpenProject; model: FaceModel }> {
    const project = this.ctx.requireProject()
    return { project, model: await this.ctx.models.forRun(project.db, project.paths, runId) }
  }

  private async renderOptions(
    project: OpenProject,
    model: FaceModel,
    input: ExportInput,
  ): Promise<MorphRenderOptions> {
    const options: MorphRenderOptions = {
      timeline: input.timeline,
      format: input.format,
      size: input.size,
      sharpen: input.sharpen,
      loop: input.loop,
    }
    const sources = input.sources
    if (input.format !== 'png-strip' || !sources) return options
    const keyframes = input.timeline.keyframes.length
    if (sources.length !== keyframes) {
      throw new Error(
        `morph: ${sources.length} sources for ${keyframes} keyframes; give one source per keyframe, in order`,
      )
    }
    const ends = [sources[0], sources[keyframes - 1]].flatMap((s) => (s ? [s] : []))
    const [first, last] = await originalFaces(project.db, project.paths, model.size, ends)
    return { ...options, originals: [first ?? null, last ?? null] }
  }
}
