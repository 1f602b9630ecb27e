import { resolve } from 'node:path'
import type {
  DatasetSummary,
  EventName,
  EventPayload,
  MethodOutput,
  MethodParsedInput,
  ProjectSummary,
  StudioApi,
} from '../../shared/contract'
import { datasetSummary } from '../dataset/summary'
import { ingestDataset } from '../dataset/ingest'
import { queryImages } from '../dataset/queries'
import { thumbnail } from '../dataset/thumbnail'
import type { Db } from '../store/database'
import { openProjectFolder, projectName, type ProjectPaths } from '../store/projectFolder'
import { demoLocation, ensureDemoFaces } from './demoProject'
import { JobManager } from './jobs'
import { runInfo } from './training/runInfo'
import { TrainingController } from './training/trainingController'
import type { TrainingProcess } from '../engine'
import { epochMetrics, getRun, listRuns, stepMetrics } from '../store/runs'
import { RecentProjects } from './recentProjects'

export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void

export interface StudioOptions {
  host: 'electron' | 'serve'
  version: string
  userDataDir: string
  emit: EventSink
  /** A native folder dialog, where the host has one. */
  pickFolder?: (title: string | undefined) => Promise<string | null>
  /** How the host starts the engine process (Electron: utilityProcess); default child_process.fork. */
  launchEngine?: () => TrainingProcess
}

interface OpenProject {
  paths: ProjectPaths
  db: Db
  isDemo: boolean
}

export class NoProjectError extends Error {
  constructor() {
    super('no project is open; create or open a project first')
  }
}

/**
 * The application service: implements every method of the contract once, for every host (Electron
 * IPC, serve mode's WebSocket and HTTP, the CLI's studio commands).
 */
export class StudioService implements StudioApi {
  private project: OpenProject | null = null
  private readonly recents: RecentProjects
  readonly jobs: JobManager
  readonly training: TrainingController

  constructor(private readonly options: StudioOptions) {
    this.recents = new RecentProjects(options.userDataDir)
    this.training = new TrainingController(options.emit, options.launchEngine)
    this.jobs = new JobManager({
      progress: (progress) => options.emit('job.progress', progress),
      finished: (finished) => options.emit('job.finished', finished),
    })
  }

  async ['app.info'](): Promise<MethodOutput<'app.info'>> {
    return {
      version: this.options.version,
      host: this.options.host,
      canPickFolders: this.options.pickFolder !== undefined,
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
    const summary = this.openAt(input.path, false)
    if (input.datasetDir) this.startIngest(input.datasetDir, 64)
    return summary
  }

  async ['projects.open'](
    input: MethodParsedInput<'projects.open'>,
  ): Promise<MethodOutput<'projects.open'>> {
    return this.openAt(input.path, false)
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
    return { runId: this.training.resumeRun(project.db, project.paths, input.runId) }
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

  /** A thumbnail of a dataset image, for the hosts' image routes (not a contract method: binary). */
  async thumbnail(imageId: number): Promise<Buffer> {
    const project = this.requireProject()
    return thumbnail(project.db, project.paths, imageId)
  }

  /** Opens the demo project, generating and ingesting its synthetic faces on first use. */
  async openDemo(): Promise<ProjectSummary> {
    const location = demoLocation(this.options.userDataDir)
    await ensureDemoFaces(location)
    const summary = this.openAt(location.projectDir, true)
    const project = this.requireProject()
    if (summary.images === 0) {
      await ingestDataset(project.db, project.paths, location.datasetDir, { size: 64 })
      return this.summarise(project)
    }
    return summary
  }

  /** Opens a project at startup without making the user choose (the last one, else the demo). */
  async openInitial(projectDir: string | undefined): Promise<ProjectSummary> {
    if (projectDir) return this.openAt(projectDir, false)
    return this.openDemo()
  }

  recentPaths(): string[] {
    return this.recents.list().map((entry) => entry.path)
  }

  async close(): Promise<void> {
    await this.training.stopAll()
    this.jobs.cancelAll()
    this.project?.db.close()
    this.project = null
  }

  private startIngest(datasetDir: string, size: 64 | 128): { jobId: string } {
    const project = this.requireProject()
    const { jobId, done } = this.jobs.start('ingest', (control) =>
      ingestDataset(project.db, project.paths, resolve(datasetDir), { size, ...control }),
    )
    void done.then(() => {
      if (this.project === project) this.options.emit('project.changed', this.summarise(project))
    })
    return { jobId }
  }

  private openAt(dir: string, isDemo: boolean): ProjectSummary {
    if (this.jobs.active().length > 0 || this.training.activeRunId !== null) {
      throw new Error(
        'a job is still running in the open project; cancel it before switching projects',
      )
    }
    const { paths, db } = openProjectFolder(dir)
    this.project?.db.close()
    this.project = { paths, db, isDemo }
    const summary = this.summarise(this.project)
    this.recents.remember({ path: paths.root, name: summary.name })
    this.options.emit('project.changed', summary)
    return summary
  }

  private summarise(project: OpenProject): ProjectSummary {
    const dataset = project.db.prepare('SELECT root FROM dataset WHERE id = 1').get() as
      { root: string } | undefined
    const images = project.db
      .prepare("SELECT count(*) AS n FROM images WHERE status = 'ok'")
      .get() as {
      n: number
    }
    return {
      path: project.paths.root,
      name: project.isDemo ? 'Demo faces' : projectName(project.paths.root),
      isDemo: project.isDemo,
      datasetRoot: dataset?.root ?? null,
      images: images.n,
    }
  }

  private requireProject(): OpenProject {
    if (!this.project) throw new NoProjectError()
    return this.project
  }
}
