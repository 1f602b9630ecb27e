/**
 * The command line as a host like Electron and serve: a StudioService on the project folder, whose
 * methods a command calls through the same dispatch and input schemas, and whose other operations
 * (a grid to a file, an encode in the foreground) it uses where a command needs more than the page.
 */
import {
  ContractError,
  parseMethodInput,
  type EventName,
  type EventPayload,
  type JobFinished,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  type MethodParsedInput,
} from '../../shared/contract'
import { CancelledError } from '../../shared/progress'
import { packageVersion } from '../app/paths'
import { dispatch } from '../host/dispatch'
import type { ProjectPaths } from '../store/projectFolder'
import type { FaceModel } from '../studio/faceModel'
import { findImage, NoLatentsError } from '../studio/latent/latentData'
import { StudioService } from '../studio/service'
import { defaultUserDataDir } from '../studio/userData'
import { UsageError } from './errors'
import type { Reporter } from './report'

type Listener = (payload: unknown) => void

export interface CliStudio {
  readonly service: StudioService
  readonly paths: ProjectPaths
  /** A contract method, as the page calls it. */
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>
  /** A method's input checked by its schema, for the service's operations beyond the contract. */
  parse<M extends MethodName>(method: M, input: MethodInput<M>): MethodParsedInput<M>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  /** Loads the run's model and says which run, step and backend the command works with. */
  announceModel(reporter: Reporter, runId?: number): Promise<FaceModel>
  /** Waits for a studio job to end, its progress on the reporter; SIGINT cancels it. */
  finishJob(jobId: string, reporter: Reporter): Promise<void>
  /** The dataset image a file name names (as ingested, or its last path segment; shortest wins). */
  imageIdOf(file: string): Promise<number>
}

/** A request the schema refuses is the command line's fault: a usage error (exit 2). */
function asUsage(error: unknown): unknown {
  return error instanceof ContractError ? new UsageError(error.message) : error
}

/** The studio has an Encode button; here the remedy is a command. */
function withRemedy(error: unknown): unknown {
  if (!(error instanceof NoLatentsError)) return error
  return new Error(
    `${error.message}: run \`face-studio encode --project ${error.projectRoot} --run ${error.runId}\` first`,
    { cause: error },
  )
}

/**
 * Opens the project (creating it only with `create`), runs the command's work against the studio,
 * then closes it: the inference process and the database with it.
 */
export async function withStudio<T>(
  project: string,
  options: { create?: boolean },
  work: (studio: CliStudio) => Promise<T>,
): Promise<T> {
  const listeners = new Map<EventName, Set<Listener>>()
  // Kept from the start: a quick job may end before the command asks about it.
  const finished = new Map<string, JobFinished>()
  listeners.set('job.finished', new Set([(payload) => rememberFinished(finished, payload)]))
  const service = new StudioService({
    host: 'cli',
    version: packageVersion(),
    userDataDir: defaultUserDataDir(),
    encodeAfterTraining: false,
    emit: (event, payload) => {
      for (const listener of listeners.get(event) ?? []) listener(payload)
    },
  })
  try {
    await service.openForCommand(project, options.create === true)
    const studio: CliStudio = {
      service,
      paths: service.requireProject().paths,
      async call(method, input) {
        // Refused input is the command line's fault (exit 2); what the method itself refuses is not.
        studio.parse(method, input)
        return (await dispatch(service.api, method, input)) as MethodOutput<typeof method>
      },
      parse(method, input) {
        try {
          return parseMethodInput(method, input)
        } catch (error) {
          throw asUsage(error)
        }
      },
      on(event, listener) {
        const set = listeners.get(event) ?? new Set<Listener>()
        listeners.set(event, set)
        set.add(listener as Listener)
        return () => set.delete(listener as Listener)
      },
      async announceModel(reporter, runId) {
        const model = await service.latent.loadModel(runId)
        reporter.info(`run ${model.runId} (step ${model.step}) on ${model.backend}`)
        return model
      },
      finishJob: (jobId, reporter) => finishJob(studio, finished, jobId, reporter),
      // The studio's own lookup: one indexed query, the shortest matching path wins.
      imageIdOf: async (file) => findImage(service.requireProject().db, studio.paths.root, file).id,
    }
    return await work(studio)
  } catch (error) {
    throw withRemedy(error)
  } finally {
    await service.close()
  }
}

function rememberFinished(finished: Map<string, JobFinished>, payload: unknown): void {
  const job = payload as JobFinished
  finished.set(job.jobId, job)
}

async function finishJob(
  studio: CliStudio,
  finished: Map<string, JobFinished>,
  jobId: string,
  reporter: Reporter,
): Promise<void> {
  const onSignal = (): void => void studio.call('jobs.cancel', { jobId })
  process.once('SIGINT', onSignal)
  let offProgress: () => void = () => undefined
  let offFinished: () => void = () => undefined
  try {
    const end = await new Promise<JobFinished>((resolve) => {
      offProgress = studio.on('job.progress', (p) => {
        if (p.jobId === jobId) reporter.progress({ phase: p.phase, done: p.done, total: p.total })
      })
      offFinished = studio.on('job.finished', (job) => {
        if (job.jobId === jobId) resolve(job)
      })
      const early = finished.get(jobId)
      if (early) resolve(early)
    })
    if (end.status === 'cancelled') throw new CancelledError()
    if (end.status === 'failed') throw new Error(end.error ?? `the ${end.kind} job failed`)
  } finally {
    offProgress()
    offFinished()
    process.off('SIGINT', onSignal)
  }
}

/** Faces are 64 or 128 pixels: files of the smaller ones are enlarged twice for viewing. */
export function viewScale(size: number): number {
  return size < 128 ? 2 : 1
}
