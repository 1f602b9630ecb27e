import { getContext, setContext } from 'svelte'
import type {
  AppInfo,
  MethodInput,
  MethodName,
  MethodOutput,
  ProjectSummary,
  StudioClient,
} from '@shared/contract'
import { errorMessage } from '../format'
import type { ScreenId } from '../screens'
import { ContractError, type Envelope } from '@shared/envelope'
import { Jobs } from './jobs.svelte'
import { Notices } from './errors.svelte'

/** A call's result as the hosts send it: the value, or the failure's message and its code. */
export type Outcome<T> = Envelope<T>

/** The value, or a rejection with the failure's message and code: for promise-shaped helpers. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value
  throw new ContractError(outcome.error, outcome.code)
}

/** Job kinds whose end changes the dataset the screens show. */
const DATA_JOBS = new Set(['ingest', 'demo', 'synth'])

/**
 * The page's state shared by every screen: the client, the open project, the current screen, running
 * jobs and the error banner. One instance per page, handed down by context.
 */
export class Studio {
  info = $state<AppInfo | null>(null)
  project = $state<ProjectSummary | null>(null)
  screen = $state<ScreenId>('projects')
  /** True once the first `projects.current` answered, so the page knows which screen to start on. */
  ready = $state(false)
  /** Bumped whenever the dataset may have changed; views that show it reload. */
  dataVersion = $state(0)
  readonly jobs = new Jobs()
  readonly notices = new Notices()
  private invalidation: ReturnType<typeof setTimeout> | undefined

  constructor(readonly client: StudioClient) {}

  /**
   * The one way the page calls the contract: never throws, the failure comes back as a value. For
   * what a panel shows in place (say, "no trained run yet" when a screen opens); actions the user
   * took use `call`, whose failures raise the banner.
   */
  async request<M extends MethodName>(
    method: M,
    input: MethodInput<M>,
  ): Promise<Outcome<MethodOutput<M>>> {
    try {
      // Electron's bridge structured-clones its arguments, which a $state proxy cannot survive.
      const value = await this.client.invoke(method, $state.snapshot(input) as MethodInput<M>)
      return { ok: true, value }
    } catch (error) {
      const code = error instanceof ContractError ? error.code : 'failed'
      return { ok: false, error: errorMessage(error), code }
    }
  }

  /** Invokes a method; a failure goes to the banner (under `context`, if given) and resolves to undefined. */
  async call<M extends MethodName>(
    method: M,
    input: MethodInput<M>,
    context?: string,
  ): Promise<MethodOutput<M> | undefined> {
    const outcome = await this.request(method, input)
    if (outcome.ok) return outcome.value
    this.notices.error(outcome.error, context)
    return undefined
  }

  /** Subscribes to the host's events and loads the first state; returns the unsubscriber. */
  start(): () => void {
    const offs = [
      this.client.on('job.progress', (p) => this.jobs.progress(p)),
      this.client.on('job.finished', (f) => {
        this.jobs.finished(f)
        if (f.status === 'failed')
          this.notices.error(f.error ?? 'unknown error', `${f.kind} failed`)
        if (DATA_JOBS.has(f.kind)) void this.refreshProject()
      }),
      this.client.on('project.changed', (p) => this.setProject(p)),
      // New latents change what Explore, Attributes and Morph show.
      this.client.on('latent.encoded', () => this.invalidateData()),
    ]
    void this.load()
    return () => {
      offs.forEach((off) => off())
      clearTimeout(this.invalidation)
    }
  }

  setProject(project: ProjectSummary | null): void {
    if (project?.path !== this.project?.path) this.jobs.forgetFinished()
    this.project = project
    this.invalidateData()
    if (!project) this.screen = 'projects'
  }

  /**
   * Tells the dataset views to reload. One change often arrives as several signals (the method's
   * answer, `project.changed`, `job.finished`); coalescing them reloads once, not three times.
   */
  invalidateData(): void {
    if (this.invalidation !== undefined) return
    this.invalidation = setTimeout(() => {
      this.invalidation = undefined
      this.dataVersion++
    }, 60)
  }

  async refreshProject(): Promise<void> {
    const current = await this.call('projects.current', {})
    if (current !== undefined) this.setProject(current)
  }

  async refreshJobs(): Promise<void> {
    const active = await this.call('jobs.active', {})
    if (active) this.jobs.replaceAll(active)
  }

  private async load(): Promise<void> {
    const [info, current] = await Promise.all([
      this.call('app.info', {}),
      this.call('projects.current', {}),
    ])
    this.info = info ?? null
    this.project = current ?? null
    this.screen = current ? 'dataset' : 'projects'
    this.ready = true
    await this.refreshJobs()
  }
}

const KEY = Symbol('studio')

export function provideStudio(studio: Studio): void {
  setContext(KEY, studio)
}

export function useStudio(): Studio {
  const studio = getContext<Studio | undefined>(KEY)
  if (!studio) throw new Error('useStudio() outside <App>: no studio in context')
  return studio
}
