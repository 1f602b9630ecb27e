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
import { RecentProjects } from './recentProjects'

export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void

export interface StudioOptions {
  host: 'electron' | 'serve'
  version: string
  userDataDir: string
  emit: EventSink
  /** A native folder dialog, where the host has one. */
  pickFolder?: (title: string | undefined) => Promise<string | null>
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

  constructor(private readonly options: StudioOptions) {
    this.recents = new RecentProjects(options.userDataDir)
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

  close(): void {
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
    if (this.jobs.active().length > 0) {
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
