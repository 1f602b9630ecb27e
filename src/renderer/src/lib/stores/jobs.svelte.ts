import type { JobFinished, JobKind, JobProgress } from '@shared/contract'
import { startingProgress } from '@shared/jobProgress'

/** Jobs running on the host, kept current from `job.progress` and `job.finished` events. */
export class Jobs {
  active = $state<Record<string, JobProgress>>({})
  /** The most recent finish of each kind, so a panel can say how its last run ended. */
  lastFinished = $state<Partial<Record<JobKind, JobFinished>>>({})
  /**
   * How each job ended. Events and method answers travel separately, so a job may finish before
   * its start (the method's answer with its id) is known.
   */
  // Bookkeeping only, never rendered: a plain Map on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly ended = new Map<string, JobFinished>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly waiting = new Map<string, ((finished: JobFinished) => void)[]>()

  /** Resolves with how the job ended: at once if it already has, else when `job.finished` comes. */
  whenFinished(jobId: string): Promise<JobFinished> {
    const ended = this.ended.get(jobId)
    if (ended) return Promise.resolve(ended)
    return new Promise((resolve) => {
      this.waiting.set(jobId, [...(this.waiting.get(jobId) ?? []), resolve])
    })
  }

  progress(update: JobProgress): void {
    if (this.ended.has(update.jobId)) return
    this.active = { ...this.active, [update.jobId]: update }
  }

  /** A job the host reports as started before its first progress event. */
  started(jobId: string, kind: JobKind): void {
    if (this.active[jobId] || this.ended.has(jobId)) return
    this.progress(startingProgress(jobId, kind))
  }

  finished(result: JobFinished): void {
    this.ended.set(result.jobId, result)
    const { [result.jobId]: _gone, ...rest } = this.active
    this.active = rest
    this.lastFinished = { ...this.lastFinished, [result.kind]: result }
    const waiters = this.waiting.get(result.jobId) ?? []
    this.waiting.delete(result.jobId)
    for (const resolve of waiters) resolve(result)
  }

  /** How earlier jobs ended belongs to the project they ran in. */
  forgetFinished(): void {
    this.lastFinished = {}
  }

  replaceAll(list: readonly JobProgress[]): void {
    this.active = Object.fromEntries(list.map((j) => [j.jobId, j]))
  }

  ofKind(kind: JobKind): JobProgress | undefined {
    return Object.values(this.active).find((j) => j.kind === kind)
  }
}
