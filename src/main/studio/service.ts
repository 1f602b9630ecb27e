import { resolve } from 'node:path'
import type {
  DatasetSummary,
  MethodName,
  MethodOutput,
  MethodParsedInput,
  ProjectSummary,
  StudioApi,
} from '../../shared/contract'
import { datasetSummary } from '../dataset/summary'
import { ingestDataset, type IngestResult } from '../dataset/ingest'
import type { TaskControl } from '../../shared/progress'
import { queryImages } from '../dataset/queries'
import { thumbnail } from '../dataset/thumbnail'
import { datasetRow } from '../store/datasetRow'
import { countOkImages } from '../store/images'
import { openExistingProject, openProjectFolder, projectName } from '../store/projectFolder'
import { demoLocation, ensureDemoFaces } from './demoProject'
import { installDemoLatents, installDemoModel } from './demoModel'
import { computeMap } from './latent/maps'
import { JobManager } from './jobs'
import { runInfo } from './training/runInfo'
import { compareRuns } from './training/runComparison'
import { TrainingController } from './training/trainingController'
import type { TrainingProcess } from '../engine'
import type { InferenceChannel } from '../engine/process/inferenceClient'
import {
  bindPart,
  checkedEvents,
  type EventSink,
  type OpenProject,
  type PickSavePath,
  type StudioContext,
} from './context'
import { ModelHost } from './faceModel'
import { LATENT_METHOD_NAMES, LatentService } from './latentService'
import { MORPH_METHOD_NAMES, MorphService } from './morphService'
import { SELECTION_METHOD_NAMES, SelectionService } from './selectionService'
import { epochMetrics, getRun, listRuns, stepMetrics } from '../store/runs'
import { RecentProjects } from './recentProjects'

export type { EventSink }

export interface StudioOptions {
  host: 'electron' | 'serve' | 'cli'
  version: string
  userDataDir: string
  emit: EventSink
  /** A native folder dialog, where the host has one. */
  pickFolder?: (title: string | undefined) => Promise<string | null>
  /** A native save dialog, where the host has one: exports may then go where the person picks. */
  pickSavePath?: PickSavePath
  /** How the host starts the engine process (Electron: utilityProcess); default child_process.fork. */
  launchEngine?: () => TrainingProcess
  /** How the host starts the inference process; default child_process.fork. */
  launchInference?: () => InferenceChannel
  /**
   * Encode a run's faces when it ends with a checkpoint (default true). A command does one thing:
   * `train` leaves encoding to `encode`.
   */
  encodeAfterTraining?: boolean
}

export class NoProjectError extends Error {
  constructor() {
    super('no project is open; create or open a project first')
  }
}

const CORE_METHOD_NAMES = [
  'app.info',
  'projects.recent',
  'projects.current',
  'projects.create',
  'projects.open',
  'projects.openDemo',
  'dialog.pickFolder',
  'dataset.ingest',
  'dataset.summary',
  'dataset.query',
  'jobs.cancel',
  'jobs.active',
  'training.start',
  'training.resumeRun',
  'training.pause',
  'training.resume',
  'training.stop',
  'training.active',
  'runs.list',
  'runs.metrics',
  'runs.preview',
  'runs.compare',
] as const satisfies readonly MethodName[]
type CoreMethodName = (typeof CORE_METHOD_NAMES)[number]
type CoreApi = Pick<StudioApi, CoreMethodName>

/**
 * The application service: implements every method of the contract once, for every host (Electron
 * IPC, serve mode's WebSocket and HTTP, the CLI's studio commands).
 */
export class StudioService implements CoreApi, StudioContext {
  private project: OpenProject | null = null
  private readonly recents: RecentProjects
  readonly jobs: JobManager
  readonly training: TrainingController
  readonly models: ModelHost
  readonly latent: LatentService
  readonly morph: MorphService
  readonly selection: SelectionService
  readonly emit: EventSink
  readonly pickSavePath?: PickSavePath
  /** The whole contract: this core plus the latent-space and morph parts. */
  readonly api: StudioApi

  constructor(private readonly options: StudioOptions) {
    this.recents = new RecentProjects(options.userDataDir)
    this.emit = checkedEvents(options.emit)
    if (options.pickSavePath) this.pickSavePath = options.pickSavePath
    this.models = new ModelHost(options.launchInference)
    this.jobs = new JobManager({
      progress: (progress) => this.emit('job.progress', progress),
      finished: (finished) => this.emit('job.finished', finished),
    })
    this.latent = new LatentService(this)
    this.morph = new MorphService(this)
    this.selection = new SelectionService(this)
    // The latents follow the model: a run that ends with a checkpoint is encoded with it.
    this.training = new TrainingController(this.emit, options.launchEngine, (runId) => {
      if (options.encodeAfterTraining === false) return
      void this.latent.encoding.afterTraining(runId).catch(() => undefined)
    })
    this.api = {
      ...bindPart<CoreMethodName>(this, CORE_METHOD_NAMES),
      ...bindPart(this.latent, LATENT_METHOD_NAMES),
      ...bindPart(this.morph, MORPH_METHOD_NAMES),
      ...bindPart(this.selection, SELECTION_METHOD_NAMES),
    }
  }

  async ['app.info'](): Promise<MethodOutput<'app.info'>> {
    return {
      version: this.options.version,
      host: this.options.host,
      canPickFolders: this.options.pickFolder !== undefined,
      canSaveAs: this.options.pickSavePath !== undefined,
    }
  }

  async ['projects.recent'](): Promise<MethodOutput<'projects.recent'>> {
    return this.recents.list()
  }

  async ['projects.current'](): Promise<MethodOutput<'projects.current'>> {
    return this.project ? this.summarise(this.project) : null
  }

  async ['projects.create'](
    input: MethodParsedInput<'projects.create'>,
  ): Promise<MethodOutput<'projects.create'>> {
    const summary = await this.openAt(input.path, false)
    if (input.datasetDir) this.startIngest(input.datasetDir, 64)
    return summary
  }

  async ['projects.open'](
    input: MethodParsedInput<'projects.open'>,
  ): Promise<MethodOutput<'projects.open'>> {
    return await this.openAt(input.path, false)
  }

  async ['projects.openDemo'](): Promise<MethodOutput<'projects.openDemo'>> {
    return this.openDemo()
  }

  async ['dialog.pickFolder'](
    input: MethodParsedInput<'dialog.pickFolder'>,
  ): Promise<MethodOutput<'dialog.pickFolder'>> {
    if (!this.options.pickFolder) return { path: null }
    return { path: await this.options.pickFolder(input.title) }
  }

  async ['dataset.ingest'](
    input: MethodParsedInput<'dataset.ingest'>,
  ): Promise<MethodOutput<'dataset.ingest'>> {
    return { jobId: this.startIngest(input.datasetDir, input.size).jobId }
  }

  async ['dataset.summary'](): Promise<DatasetSummary> {
    return datasetSummary(this.requireProject().db)
  }

  async ['dataset.query'](
    input: MethodParsedInput<'dataset.query'>,
  ): Promise<MethodOutput<'dataset.query'>> {
    return queryImages(this.requireProject().db, input)
  }

  async ['jobs.cancel'](
    input: MethodParsedInput<'jobs.cancel'>,
  ): Promise<MethodOutput<'jobs.cancel'>> {
    return { cancelled: this.jobs.cancel(input.jobId) }
  }

  async ['jobs.active'](): Promise<MethodOutput<'jobs.active'>> {
    return this.jobs.active()
  }

  async ['training.start'](
    input: MethodParsedInput<'training.start'>,
  ): Promise<MethodOutput<'training.start'>> {
    const project = this.requireProject()
    return { runId: this.training.start(project.db, project.paths, input) }
  }

  async ['training.resumeRun'](
    input: MethodParsedInput<'training.resumeRun'>,
  ): Promise<MethodOutput<'training.resumeRun'>> {
    const project = this.requireProject()
    return {
      runId: this.training.resumeRun(project.db, project.paths, input.runId, input.backend),
    }
  }

  async ['training.pause'](
    input: MethodParsedInput<'training.pause'>,
  ): Promise<MethodOutput<'training.pause'>> {
    return { ok: this.training.pause(input.runId) }
  }

  async ['training.resume'](
    input: MethodParsedInput<'training.resume'>,
  ): Promise<MethodOutput<'training.resume'>> {
    return { ok: this.training.resume(input.runId) }
  }

  async ['training.stop'](
    input: MethodParsedInput<'training.stop'>,
  ): Promise<MethodOutput<'training.stop'>> {
    return { ok: await this.training.stop(input.runId) }
  }

  async ['training.active'](): Promise<MethodOutput<'training.active'>> {
    const runId = this.training.activeRunId
    if (runId === null || !this.project) return null
    const run = getRun(this.project.db, runId)
    return run ? runInfo(run) : null
  }

  async ['runs.list'](): Promise<MethodOutput<'runs.list'>> {
    return listRuns(this.requireProject().db).map(runInfo)
  }

  async ['runs.metrics'](
    input: MethodParsedInput<'runs.metrics'>,
  ): Promise<MethodOutput<'runs.metrics'>> {
    const { db } = this.requireProject()
    return {
      runId: input.runId,
      steps: stepMetrics(db, input.runId, input.sinceStep),
      epochs: epochMetrics(db, input.runId),
    }
  }

  async ['runs.preview'](
    input: MethodParsedInput<'runs.preview'>,
  ): Promise<MethodOutput<'runs.preview'>> {
    return this.training.preview(input.runId)
  }

  async ['runs.compare'](
    input: MethodParsedInput<'runs.compare'>,
  ): Promise<MethodOutput<'runs.compare'>> {
    const { db, paths } = this.requireProject()
    return compareRuns(db, paths, this.models, input.runIds, input.faces)
  }

  /** A thumbnail of a dataset image, for the hosts' image routes (not a contract method: binary). */
  async thumbnail(imageId: number): Promise<Buffer> {
    const project = this.requireProject()
    return thumbnail(project.db, project.paths, imageId)
  }

  /** The open project's exports folder, for the hosts' download route. */
  exportsFolder(): string {
    return this.requireProject().paths.exports
  }

  /**
   * Opens the demo project, generating and ingesting its synthetic faces on first use. It comes with
   * a trained model; its latents are encoded in the background when missing.
   */
  async openDemo(): Promise<ProjectSummary> {
    const location = demoLocation(this.options.userDataDir)
    await ensureDemoFaces(location)
    let summary = await this.openAt(location.projectDir, true)
    const project = this.requireProject()
    if (summary.images === 0) {
      await ingestDataset(project.db, project.paths, location.datasetDir, { size: 64 })
      summary = this.summarise(project)
    }
    const run = installDemoModel(project.db, project.paths)
    if (run) {
      // Shipped latents and the map built from them make the latent screens work at once; an
      // encode job covers whatever they do not.
      if (installDemoLatents(project.db, run) > 0) {
        await computeMap(project.db, project.paths.root, run.id, 'pca')
      }
      await this.latent.encoding.afterTraining(run.id)
    }
    return summary
  }

  /**
   * A command's project: not added to the recent list; without `create`, a folder without
   * studio.db is refused rather than turned into an empty project.
   */
  async openForCommand(dir: string, create: boolean): Promise<ProjectSummary> {
    return await this.openAt(dir, false, { create, remember: false })
  }

  /** Opens a project at startup without making the user choose (the last one, else the demo). */
  async openInitial(projectDir: string | undefined): Promise<ProjectSummary> {
    if (projectDir) return await this.openAt(projectDir, false)
    return this.openDemo()
  }

  recentPaths(): string[] {
    return this.recents.list().map((entry) => entry.path)
  }

  async close(): Promise<void> {
    await this.training.stopAll()
    await this.latent.encoding.cancel()
    this.models.close()
    this.jobs.cancelAll()
    this.project?.db.close()
    this.project = null
  }

  /** Reads a dataset into the open project now: an ingest job's work, and the command line's. */
  async ingest(
    datasetDir: string,
    size: 64 | 128,
    control: TaskControl = {},
  ): Promise<IngestResult> {
    const project = this.requireProject()
    return ingestDataset(project.db, project.paths, resolve(datasetDir), { size, ...control })
  }

  private startIngest(datasetDir: string, size: 64 | 128): { jobId: string } {
    const project = this.requireProject()
    const { jobId, done } = this.jobs.start('ingest', (control) =>
      this.ingest(datasetDir, size, control),
    )
    void done.then(() => {
      if (this.project === project) this.emit('project.changed', this.summarise(project))
    })
    return { jobId }
  }

  private async openAt(
    dir: string,
    isDemo: boolean,
    how: { create: boolean; remember: boolean } = { create: true, remember: true },
  ): Promise<ProjectSummary> {
    // An encode is the studio's own housekeeping: it gives way rather than block the switch.
    await this.latent.encoding.cancel()
    if (this.jobs.active().length > 0 || this.training.activeRunId !== null) {
      throw new Error(
        'a job is still running in the open project; cancel it before switching projects',
      )
    }
    const { paths, db } = how.create ? openProjectFolder(dir) : openExistingProject(dir)
    this.project?.db.close()
    this.models.close()
    // The demo reopened from the recent list or by path is still the demo.
    const demo = isDemo || paths.root === resolve(demoLocation(this.options.userDataDir).projectDir)
    this.project = { paths, db, isDemo: demo }
    const summary = this.summarise(this.project)
    if (how.remember) this.recents.remember({ path: paths.root, name: summary.name })
    this.emit('project.changed', summary)
    return summary
  }

  private summarise(project: OpenProject): ProjectSummary {
    const dataset = datasetRow(project.db)
    const images = countOkImages(project.db)
    return {
      path: project.paths.root,
      name: project.isDemo ? 'Demo faces' : projectName(project.paths.root),
      isDemo: project.isDemo,
      datasetRoot: dataset?.root ?? null,
      images,
    }
  }

  requireProject(): OpenProject {
    if (!this.project) throw new NoProjectError()
    return this.project
  }
}
