import { join } from 'node:path'
import {
  events as eventSchemas,
  methods,
  type EventName,
  type EventPayload,
  type JobFinished,
  type JobProgress,
  type MethodInput,
  type MethodName,
  type MethodOutput,
} from '../../src/shared/contract'
import { dispatch } from '../../src/main/host/dispatch'
import type { OpenProject } from '../../src/main/studio/context'
import { StudioService } from '../../src/main/studio/service'

export interface RecordedEvent {
  event: EventName
  payload: unknown
}

/**
 * The studio service as every host drives it: each call goes through `dispatch` (the input checked
 * by its schema), each answer and each event is parsed by its schema, so a test sees what a page
 * would receive and fails where the service breaks its own contract.
 */
export interface ServiceHarness {
  readonly service: StudioService
  /** A contract method through dispatch; the answer parsed by the method's output schema. */
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>
  /** The open project, for tests that plant or inspect rows the contract does not reach. */
  project(): OpenProject
  /** Every event so far, each payload parsed by its event's schema. */
  readonly events: readonly RecordedEvent[]
  /** The progress events of one job so far. */
  progress(jobId: string | null): JobProgress[]
  /** The first event (so far or to come) whose payload matches. */
  nextEvent<E extends EventName>(
    event: E,
    match: (payload: EventPayload<E>) => boolean,
  ): Promise<EventPayload<E>>
  /**
   * The job's `job.finished` event, whether it came already or is still to come; a null id (the
   * method started no job) fails at once.
   */
  whenFinished(jobId: string | null): Promise<JobFinished>
  /** Closes the service; fails if any event broke its schema. */
  close(): Promise<void>
}

interface Waiter {
  event: EventName
  match: (payload: unknown) => boolean
  resolve: (payload: unknown) => void
  reject: (error: Error) => void
}

/**
 * A real StudioService with its user data under `dir/home`; with `projectDir`, that project opened
 * through `projects.open`.
 */
export async function startServiceHarness(
  dir: string,
  projectDir?: string,
): Promise<ServiceHarness> {
  const recorded: RecordedEvent[] = []
  const broken: string[] = []
  let waiters: Waiter[] = []
  const service = new StudioService({
    host: 'serve',
    version: 'test',
    userDataDir: join(dir, 'home'),
    emit: (event, raw) => {
      const parsed = eventSchemas[event].safeParse(raw)
      if (!parsed.success) {
        // Whoever waits for an event learns at once that one broke the contract.
        const error = new Error(`event ${event} breaks its schema: ${parsed.error.message}`)
        broken.push(error.message)
        for (const waiter of waiters) waiter.reject(error)
        waiters = []
        return
      }
      const payload: unknown = parsed.data
      recorded.push({ event, payload })
      const ready = waiters.filter((w) => w.event === event && w.match(payload))
      waiters = waiters.filter((w) => !ready.includes(w))
      for (const waiter of ready) waiter.resolve(payload)
    },
  })

  const harness: ServiceHarness = {
    service,
    events: recorded,
    async call(method, input) {
      const answer = await dispatch(service.api, method, input)
      return methods[method].output.parse(answer) as MethodOutput<typeof method>
    },
    project: () => service.requireProject(),
    progress: (jobId) =>
      recorded
        .filter((r) => r.event === 'job.progress')
        .map((r) => r.payload as JobProgress)
        .filter((p) => p.jobId === jobId),
    nextEvent(event, match) {
      const test = match as (payload: unknown) => boolean
      const seen = recorded.find((r) => r.event === event && test(r.payload))
      if (seen) return Promise.resolve(seen.payload as EventPayload<typeof event>)
      return new Promise((resolve, reject) => {
        waiters.push({ event, match: test, resolve: resolve as (payload: unknown) => void, reject })
      })
    },
    whenFinished: (jobId) =>
      jobId === null
        ? Promise.reject(new Error('no job was started (jobId is null)'))
        : harness.nextEvent('job.finished', (f) => f.jobId === jobId),
    async close() {
      await service.close()
      if (broken.length > 0) throw new Error(broken.join('\n'))
    },
  }
  if (projectDir) await harness.call('projects.open', { path: projectDir })
  return harness
}
