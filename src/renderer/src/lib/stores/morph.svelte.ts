import type { JobFinished, MethodInput, MethodOutput } from '@shared/contract'
import type { FaceSource } from '@shared/contractLatent'
import type { ExportFormat } from '@shared/contractMorph'
import { scheduleFrames, type ScheduledFrame, type Timeline } from '@shared/latent'
import { LatestWins } from '../latestWins'
import {
  addKeyframe,
  emptyDraft,
  fromSaved,
  moveKeyframe,
  removeKeyframe,
  setHold,
  toSaved,
  toTimeline,
  updateSegment,
  type DraftSegment,
  type MorphDraft,
} from '../morphDraft'
import { clampExportSize, defaultExportName, withFormatEnding } from '../morphExport'
import { FpsMeter, playbackFrame } from '../morphPlayback'
import { unwrap, type Outcome, type Studio } from './studio.svelte'

export type SavedTimelineInfo = MethodOutput<'timelines.list'>[number]

export interface ShownFrame {
  position: number
  image: string
}

export interface ExportOptionsState {
  format: ExportFormat
  size: number
  sharpen: boolean
  /** Plays of the animation; 0 = forever. */
  loop: number
  path: string
}

// The page always fills in the size, so the estimate can be labelled with it.
type ExportInput = MethodInput<'morph.estimate'> & { size: number }

/** Playhead positions differ by pixels of pointer travel; finer than this asks the host nothing new. */
const POSITION_STEP = 1000

/**
 * The Morph screen's state: the timeline being edited, the face under the playhead, playback, the
 * project's saved timelines and the export. Lives as long as the screen.
 */
export class MorphStore {
  draft = $state<MorphDraft>(emptyDraft())
  /** The run whose latents the keyframes are; the host's latest run until a face says otherwise. */
  runId = $state<number | null>(null)
  name = $state('')
  savedId = $state<number | null>(null)
  savedList = $state<SavedTimelineInfo[]>([])
  libraryStatus = $state('')
  adding = $state(false)

  /** Where the playhead is (the user's wish); `frame` is what the host last drew. */
  position = $state(0)
  frame = $state<ShownFrame | null>(null)
  playing = $state(false)
  measuredFps = $state(0)

  exportOptions = $state<ExportOptionsState>({
    format: 'gif',
    size: 256,
    sharpen: false,
    loop: 0,
    path: '',
  })
  /** The expected output, with the options it was estimated for. */
  estimate = $state<{ bytes: number; frames: number; format: ExportFormat; size: number } | null>(
    null,
  )
  estimating = $state(false)
  exportJobId = $state<string | null>(null)
  /** The path of the export running or last finished, as it was asked for. */
  exportPath = $state<string | null>(null)
  exportStarting = $state(false)
  exportResult = $state<{
    status: JobFinished['status']
    path: string
    /** The exports/ name to download by (serve mode), or null. */
    download: string | null
  } | null>(null)
  private exportDownload: string | null = null

  readonly timeline: Timeline | null = $derived(toTimeline(this.draft))
  readonly frames: ScheduledFrame[] = $derived.by(() => {
    const tl = this.timeline
    if (!tl) return []
    try {
      return scheduleFrames(tl)
    } catch {
      return []
    }
  })

  private readonly scheduler: LatestWins<number, string>
  private readonly meter = new FpsMeter()
  private keySeq = 0
  private playStart = 0
  private playFrom = 0
  private raf = 0
  private readonly estimator = new LatestWins({
    send: (input: ExportInput) => this.studio.request('morph.estimate', input),
    onResult: (input: ExportInput, result: Outcome<MethodOutput<'morph.estimate'>>) =>
      this.showEstimate(input, result),
  })
  private pathTouched = false

  constructor(private readonly studio: Studio) {
    this.scheduler = new LatestWins<number, string>({
      send: (position) => this.requestFrame(position),
      onResult: (position, image) => {
        this.frame = { position, image }
        if (this.playing) this.measuredFps = this.meter.tick(performance.now())
      },
      onError: (_position, error) => {
        this.studio.notices.error(error, 'Drawing the frame')
        this.pause()
      },
    })
  }

  dispose(): void {
    this.pause()
    this.scheduler.dispose()
    this.estimator.dispose()
  }

  /** The screen was left: nothing should keep drawing, but the timeline stays for the return. */
  suspend(): void {
    this.pause()
  }

  get frameCount(): number {
    return this.frames.length
  }

  // ——— keyframes ———

  /** Resolves a face (dataset image, sample, photo) on the host and appends it as a keyframe. */
  async addFromSource(source: FaceSource): Promise<boolean> {
    if (this.adding) return false
    this.adding = true
    try {
      const face = await this.studio.call('latent.resolve', {
        ...(this.runId !== null ? { runId: this.runId } : {}),
        source,
      })
      if (!face) return false
      if (!this.compatible(face.latent.length, face.runId)) return false
      this.runId = face.runId
      this.draft = addKeyframe(this.draft, {
        key: this.nextKey(),
        source,
        latent: face.latent,
        label: face.label,
        hold: 0,
        image: face.image,
      })
      return true
    } finally {
      this.adding = false
    }
  }

  /** A face that is already a latent (the morph queue); its image is decoded afterwards. */
  addLatent(latent: number[], label: string, runId: number | null): boolean {
    if (!this.compatible(latent.length, runId)) return false
    if (runId !== null) this.runId = runId
    const key = this.nextKey()
    this.draft = addKeyframe(this.draft, {
      key,
      source: { kind: 'latent', latent: [...latent], label: label.slice(0, 200) },
      latent: [...latent],
      label,
      hold: 0,
      image: null,
    })
    void this.decodeImage(key, latent)
    return true
  }

  remove(index: number): void {
    this.draft = removeKeyframe(this.draft, index)
  }

  move(from: number, to: number): void {
    this.draft = moveKeyframe(this.draft, from, to)
  }

  setSegment(index: number, patch: Partial<DraftSegment>): void {
    this.draft = updateSegment(this.draft, index, patch)
  }

  setHold(index: number, hold: number): void {
    this.draft = setHold(this.draft, index, hold)
  }

  setLoop(loop: MorphDraft['loop']): void {
    this.draft = { ...this.draft, loop }
  }

  setCloseLoop(closeLoop: boolean): void {
    this.draft = { ...this.draft, closeLoop }
  }

  setFps(fps: number): void {
    if (!Number.isFinite(fps)) return
    this.draft = { ...this.draft, fps: Math.min(50, Math.max(1, Math.round(fps))) }
  }

  /** Starts afresh: no keyframes, nothing saved. */
  clear(): void {
    this.pause()
    this.draft = emptyDraft()
    this.savedId = null
    this.name = ''
    this.frame = null
    this.position = 0
    this.runId = null
  }

  // ——— scrubbing and playback ———

  /** The timeline changed: what the host drew for the old one no longer counts. */
  timelineChanged(): void {
    this.scheduler.invalidate()
    const last = Math.max(0, this.frameCount - 1)
    if (this.position > last) this.position = last
    if (this.frameCount === 0) {
      this.frame = null
      this.pause()
      return
    }
    this.scheduler.request(this.position)
  }

  /** The user moved the playhead (drag or keys); playback stops so it does not fight them. */
  scrub(position: number): void {
    this.pause()
    this.seek(position)
  }

  play(): void {
    if (this.playing || this.frameCount < 2) return
    const last = this.frameCount - 1
    this.playFrom = this.draft.loop === 'once' && this.position >= last ? 0 : this.position
    this.playStart = performance.now()
    this.meter.reset()
    this.measuredFps = 0
    this.playing = true
    const tick = (): void => {
      if (!this.playing) return
      const due = playbackFrame(
        performance.now() - this.playStart,
        this.draft.fps,
        this.frameCount,
        this.draft.loop,
        this.playFrom,
      )
      this.seek(due.frame)
      if (due.done) {
        this.playing = false
        return
      }
      this.raf = requestAnimationFrame(tick)
    }
    tick()
  }

  pause(): void {
    this.playing = false
    cancelAnimationFrame(this.raf)
  }

  private seek(position: number): void {
    const last = Math.max(0, this.frameCount - 1)
    const clamped = Math.min(Math.max(0, position), last)
    this.position = Math.round(clamped * POSITION_STEP) / POSITION_STEP
    if (this.frameCount > 0) this.scheduler.request(this.position)
  }

  private requestFrame(position: number): Promise<string> {
    const timeline = this.timeline
    if (!timeline) return Promise.reject(new Error('the timeline needs two keyframes'))
    return this.studio
      .request('morph.frame', {
        ...(this.runId !== null ? { runId: this.runId } : {}),
        timeline,
        position,
      })
      .then((r) => unwrap(r).image)
  }

  // ——— saved timelines ———

  async refreshList(): Promise<void> {
    const list = await this.studio.call('timelines.list', {})
    if (list) this.savedList = list
  }

  async save(): Promise<void> {
    const name = this.name.trim()
    if (!name) {
      this.libraryStatus = 'Give the timeline a name first.'
      return
    }
    if (!this.timeline) {
      this.libraryStatus = 'A timeline needs at least two keyframes.'
      return
    }
    // Saving under the name of the open timeline updates it; a new name makes another one.
    const openName = this.savedList.find((t) => t.id === this.savedId)?.name
    const id = this.savedId !== null && openName === name ? this.savedId : undefined
    const input = { ...toSaved(this.draft, name, this.runId), ...(id ? { id } : {}) }
    const result = await this.studio.call('timelines.save', input)
    if (!result) return
    this.savedId = result.id
    this.libraryStatus = id ? `Updated “${name}”.` : `Saved “${name}”.`
    await this.refreshList()
  }

  async open(id: number): Promise<void> {
    const saved = await this.studio.call('timelines.get', { id })
    if (!saved) return
    this.pause()
    try {
      this.draft = fromSaved(saved)
    } catch (error) {
      this.studio.notices.error(error, `Opening “${saved.name}”`)
      return
    }
    this.runId = saved.runId
    this.name = saved.name
    this.savedId = saved.id
    this.position = 0
    this.frame = null
    this.libraryStatus = `Opened “${saved.name}”.`
    this.pathTouched = false
    this.suggestPath()
    for (const kf of this.draft.keyframes) void this.decodeImage(kf.key, kf.latent)
  }

  async deleteSaved(id: number): Promise<void> {
    const result = await this.studio.call('timelines.delete', { id })
    if (!result) return
    if (this.savedId === id) this.savedId = null
    this.libraryStatus = result.ok ? 'Deleted.' : 'It was already gone.'
    await this.refreshList()
  }

  // ——— export ———

  setExportOptions(patch: Partial<ExportOptionsState>): void {
    const next = { ...this.exportOptions, ...patch }
    if (patch.path !== undefined) this.pathTouched = true
    else if (patch.format !== undefined) next.path = withFormatEnding(next.path, patch.format)
    this.exportOptions = next
  }

  /** Proposes an output path in the project's folder until the user types one. */
  suggestPath(): void {
    const project = this.studio.project?.path
    if (!project || this.pathTouched) return
    this.exportOptions = {
      ...this.exportOptions,
      path: defaultExportName(this.exportOptions.format, this.name),
    }
  }

  private exportInput(): ExportInput | null {
    const timeline = this.timeline
    if (!timeline) return null
    const o = this.exportOptions
    return {
      ...(this.runId !== null ? { runId: this.runId } : {}),
      timeline,
      format: o.format,
      size: clampExportSize(o.size),
      sharpen: o.sharpen,
      loop: Math.min(1000, Math.max(0, Math.round(o.loop) || 0)),
      // The contact strip puts the real faces at its ends.
      ...(o.format === 'png-strip' ? { sources: toSaved(this.draft, 'export', null).sources } : {}),
    }
  }

  refreshEstimate(): void {
    const input = this.exportInput()
    if (!input) {
      // An answer still on its way was for options that no longer make a timeline.
      this.estimator.invalidate()
      this.estimate = null
      this.estimating = false
      return
    }
    this.estimating = true
    this.estimator.request(input)
  }

  private showEstimate(input: ExportInput, result: Outcome<MethodOutput<'morph.estimate'>>): void {
    this.estimating = this.estimator.hasWaiting
    if (result.ok) {
      this.estimate = { ...result.value, format: input.format, size: input.size }
    } else {
      this.estimate = null
      this.studio.notices.error(result.error, 'Estimating the file size')
    }
  }

  /**
   * Exports into the project's exports folder under the name in the field, or (`saveAs`, where the
   * host has a save dialog) wherever the person picks there; resolves once the export has ended.
   */
  async startExport(saveAs = false): Promise<void> {
    const input = this.exportInput()
    if (!input || this.exportJobId || this.exportStarting) return
    const name = this.exportOptions.path.trim()
    this.exportStarting = true
    const target = saveAs
      ? { kind: 'dialog' as const, ...(name ? { suggestedName: name } : {}) }
      : { kind: 'exports' as const, name }
    const ref = await this.studio.call('morph.export', { ...input, target })
    this.exportStarting = false
    if (!ref?.jobId) return
    this.exportPath = ref.file
    this.exportDownload = ref.download
    this.exportResult = null
    this.exportJobId = ref.jobId
    this.studio.jobs.started(ref.jobId, 'export')
    this.exportFinished(await this.studio.jobs.whenFinished(ref.jobId))
  }

  /** The host said how the export ended (the banner already has any failure). */
  private exportFinished(finished: JobFinished): void {
    if (finished.jobId !== this.exportJobId) return
    this.exportResult = {
      status: finished.status,
      path: this.exportPath ?? '',
      download: this.exportDownload,
    }
    this.exportJobId = null
  }

  async cancelExport(): Promise<void> {
    const jobId = this.exportJobId
    if (jobId) await this.studio.call('jobs.cancel', { jobId })
  }

  // ——— helpers ———

  private nextKey(): string {
    return `k${++this.keySeq}`
  }

  /** Keyframes must share one latent size (one model); says why not on the banner. */
  private compatible(size: number, runId: number | null): boolean {
    const first = this.draft.keyframes[0]
    if (!first || first.latent.length === size) return true
    const from = runId !== null ? ` (run #${runId})` : ''
    this.studio.notices.error(
      `this face's latent has ${size} values${from}, the timeline's keyframes have ${first.latent.length}; keyframes must come from the same model`,
      'Adding a keyframe',
    )
    return false
  }

  private async decodeImage(key: string, latent: number[]): Promise<void> {
    // The keyframe still works without its picture; the banner says once why it has none.
    const result = await this.studio.call(
      'latent.decode',
      { ...(this.runId !== null ? { runId: this.runId } : {}), latent: [...latent] },
      'Drawing a keyframe',
    )
    const kf = this.draft.keyframes.find((k) => k.key === key)
    if (result && kf) kf.image = result.image
  }
}

// Per page and project: going to the Attributes screen for more faces and back keeps the timeline.
const kept = new WeakMap<Studio, { path: string; store: MorphStore }>()

export function morphStoreFor(studio: Studio): MorphStore {
  const path = studio.project?.path ?? ''
  const entry = kept.get(studio)
  if (entry && entry.path === path) return entry.store
  entry?.store.dispose()
  const store = new MorphStore(studio)
  kept.set(studio, { path, store })
  return store
}
