import type {
  EventPayload,
  RunInfo,
  TrainRequest,
  TrainingPreviewEvent,
  TrainingStepEvent,
} from '@shared/contract'
import {
  contiguousUntil,
  hasGap,
  insertStep,
  mergeEpochs,
  mergeSteps,
  type LossPoint,
  type ValidationPoint,
} from '../lossSeries'
import { defaultRunId, isLiveStatus, upsertRun } from '../trainingRuns'
import type { Studio } from './studio.svelte'

/** A run's curves as the page knows them: the database's, plus every live event since. */
export interface RunSeries {
  steps: LossPoint[]
  epochs: ValidationPoint[]
}

/** The live figures of the step last heard. */
export interface LiveStep {
  runId: number
  step: number
  targetSteps: number
  imagesPerSecond: number | null
  etaSeconds: number | null
}

export type TrainingAction = 'start' | 'pause' | 'resume' | 'stop' | 'resumeRun'

/** How often live steps may trigger a fresh `runs.list` (checkpoint step, val loss) or a backfill. */
const REFRESH_MS = 4000

/**
 * The Training screen's state: runs, the live one, their curves and the latest reconstructions.
 * Lives as long as the screen; on opening it loads what the host has and then follows the events.
 */
export class TrainingStore {
  active = $state<RunInfo | null>(null)
  runs = $state<RunInfo[]>([])
  selectedRunId = $state<number | null>(null)
  overlayIds = $state<number[]>([])
  preview = $state<TrainingPreviewEvent | null>(null)
  live = $state<LiveStep | null>(null)
  busy = $state<TrainingAction | null>(null)
  loaded = $state(false)
  /** Bumped whenever a curve changes; the curves themselves are plain arrays (see RunSeries). */
  version = $state(0)

  // Up to 100k points per run, appended many times a second: plain structures, announced through
  // `version`, because deep reactive proxies over them would cost more than the drawing.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly series = new Map<number, RunSeries>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly previews = new Map<number, TrainingPreviewEvent>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly loading = new Map<number, Promise<void>>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly fetched = new Set<number>()
  private lastRunsRefresh = 0
  private lastBackfill = 0
  private adopting = false

  constructor(private readonly studio: Studio) {}

  /** Subscribes to the training events and loads the first state; returns the unsubscriber. */
  start(): () => void {
    const { client } = this.studio
    const offs = [
      client.on('training.step', (e) => this.onStep(e)),
      client.on('training.epoch', (e) => this.onEpoch(e)),
      client.on('training.preview', (e) => this.onPreview(e)),
      client.on('training.status', (e) => this.onStatus(e)),
    ]
    void this.load()
    return () => offs.forEach((off) => off())
  }

  /** The curves of a run, or an empty series while it loads. Read `version` to follow changes. */
  seriesOf(runId: number): RunSeries {
    return this.series.get(runId) ?? { steps: [], epochs: [] }
  }

  get selectedRun(): RunInfo | null {
    const id = this.selectedRunId
    if (id === null) return null
    if (this.active?.id === id) return this.active
    return this.runs.find((r) => r.id === id) ?? null
  }

  async load(): Promise<void> {
    const [active, runs] = await Promise.all([
      this.studio.call('training.active', {}),
      this.studio.call('runs.list', {}),
    ])
    this.active = active ?? null
    if (runs) this.runs = active ? upsertRun(runs, active) : runs
    this.loaded = true
    const id = this.selectedRunId ?? defaultRunId(this.runs, this.active)
    if (id !== null) await this.select(id)
  }

  async select(runId: number): Promise<void> {
    this.selectedRunId = runId
    this.preview = this.previews.get(runId) ?? null
    await Promise.all([this.ensureMetrics(runId), this.loadPreview(runId)])
  }

  toggleOverlay(runId: number): void {
    if (this.overlayIds.includes(runId)) {
      this.overlayIds = this.overlayIds.filter((id) => id !== runId)
      return
    }
    this.overlayIds = [...this.overlayIds, runId]
    void this.ensureMetrics(runId)
  }

  async startRun(request: TrainRequest): Promise<void> {
    await this.act('start', async () => {
      const ref = await this.studio.call('training.start', request)
      if (ref) await this.adopt(ref.runId)
    })
  }

  async resumeRun(runId: number): Promise<void> {
    await this.act('resumeRun', async () => {
      const ref = await this.studio.call('training.resumeRun', { runId })
      if (ref) await this.adopt(ref.runId)
    })
  }

  async pause(): Promise<void> {
    const run = this.active
    if (run) await this.act('pause', () => this.studio.call('training.pause', { runId: run.id }))
  }

  async resume(): Promise<void> {
    const run = this.active
    if (run) await this.act('resume', () => this.studio.call('training.resume', { runId: run.id }))
  }

  async stop(): Promise<void> {
    const run = this.active
    if (!run) return
    await this.act('stop', async () => {
      await this.studio.call('training.stop', { runId: run.id })
      // `stop` answers once the run has checkpointed; the list now has its final state.
      await this.refreshRuns()
    })
  }

  async refreshRuns(): Promise<void> {
    this.lastRunsRefresh = Date.now()
    const runs = await this.studio.call('runs.list', {})
    if (!runs) return
    const active = this.active
    if (!active) {
      this.runs = runs
      return
    }
    // Status events decide which run is live; the list brings its newer figures (checkpoint step).
    const fresh = runs.find((r) => r.id === active.id)
    if (fresh && isLiveStatus(fresh.status)) this.active = fresh
    this.runs = upsertRun(runs, this.active ?? active)
  }

  private async act(action: TrainingAction, work: () => Promise<unknown>): Promise<void> {
    if (this.busy) return
    this.busy = action
    try {
      await work()
    } finally {
      this.busy = null
    }
  }

  /** A run the host just started or resumed becomes the one the screen follows. */
  private async adopt(runId: number): Promise<void> {
    const active = await this.studio.call('training.active', {})
    if (active && active.id === runId) {
      this.active = active
      this.runs = upsertRun(this.runs, active)
    }
    await this.select(runId)
  }

  private async ensureMetrics(runId: number): Promise<void> {
    const pending = this.loading.get(runId)
    if (pending) return pending
    if (this.fetched.has(runId)) return
    const work = this.fetchMetrics(runId, 0)
      .then((ok) => {
        if (ok) this.fetched.add(runId)
      })
      .finally(() => this.loading.delete(runId))
    this.loading.set(runId, work)
    return work
  }

  private async fetchMetrics(runId: number, sinceStep: number): Promise<boolean> {
    const metrics = await this.studio.call('runs.metrics', { runId, sinceStep })
    if (!metrics) return false
    const current = this.series.get(runId) ?? { steps: [], epochs: [] }
    // Live events may have arrived while the answer travelled: merge, never replace.
    this.series.set(runId, {
      steps: mergeSteps(metrics.steps.map(toLossPoint), current.steps),
      epochs: mergeEpochs(metrics.epochs, current.epochs),
    })
    this.version++
    return true
  }

  private async loadPreview(runId: number): Promise<void> {
    if (this.previews.has(runId)) return
    const stored = await this.studio.call('runs.preview', { runId })
    if (stored) this.onPreview(stored)
  }

  private seriesFor(runId: number): RunSeries {
    let s = this.series.get(runId)
    if (!s) {
      s = { steps: [], epochs: [] }
      this.series.set(runId, s)
    }
    return s
  }

  private onStep(e: TrainingStepEvent): void {
    const s = this.seriesFor(e.runId)
    insertStep(s.steps, toLossPoint(e))
    this.version++
    this.live = {
      runId: e.runId,
      step: e.step,
      targetSteps: e.targetSteps,
      imagesPerSecond: e.imagesPerSecond,
      etaSeconds: e.etaSeconds,
    }
    if (this.active?.id !== e.runId) void this.adoptUnknown(e.runId)
    if (this.selectedRunId === null) void this.select(e.runId)
    const now = Date.now()
    // Steps the page missed (it opened mid-run) are in the database once the host flushed them.
    if (hasGap(s.steps) && now - this.lastBackfill > REFRESH_MS) {
      this.lastBackfill = now
      void this.fetchMetrics(e.runId, contiguousUntil(s.steps))
    }
    // Checkpoints are not events; the list's stepsDone follows them at this pace.
    if (now - this.lastRunsRefresh > REFRESH_MS) void this.refreshRuns()
  }

  private onEpoch(e: EventPayload<'training.epoch'>): void {
    const s = this.seriesFor(e.runId)
    s.epochs = mergeEpochs(s.epochs, [{ epoch: e.epoch, step: e.step, valLoss: e.valLoss }])
    this.version++
  }

  private onPreview(e: TrainingPreviewEvent): void {
    const before = this.previews.get(e.runId)
    if (before && before.step > e.step) return
    this.previews.set(e.runId, e)
    if (e.runId === this.selectedRunId) this.preview = e
  }

  private onStatus(run: RunInfo): void {
    this.runs = upsertRun(this.runs, run)
    if (isLiveStatus(run.status)) {
      this.active = run
      if (this.selectedRunId === null) void this.select(run.id)
      return
    }
    if (this.active?.id === run.id) {
      this.active = null
      if (this.live?.runId === run.id) this.live = null
      // The host flushed every step on the way out: fill whatever the events did not bring.
      void this.fetchMetrics(run.id, contiguousUntil(this.seriesOf(run.id).steps))
      void this.refreshRuns()
    }
    if (run.status === 'failed')
      this.studio.notices.error(run.error ?? 'unknown error', `run ${run.id} failed`)
  }

  /** Steps of a run the page did not start (another window, or opened mid-run). */
  private async adoptUnknown(runId: number): Promise<void> {
    if (this.adopting) return
    this.adopting = true
    try {
      const active = await this.studio.call('training.active', {})
      if (active?.id === runId) {
        this.active = active
        this.runs = upsertRun(this.runs, active)
      }
    } finally {
      this.adopting = false
    }
  }
}

function toLossPoint(p: {
  step: number
  epoch: number
  total: number
  recon: number
  kl: number
}): LossPoint {
  return { step: p.step, epoch: p.epoch, total: p.total, recon: p.recon, kl: p.kl }
}
