import {
  events,
  type EventName,
  type EventPayload,
  type MethodName,
  type MethodOutput,
  type MethodParsedInput,
  type StudioApi,
} from '../../shared/contract'
import type { Db } from '../store/database'
import type { ProjectPaths } from '../store/projectFolder'
import type { ModelHost } from './faceModel'
import type { JobManager } from './jobs'

/** The host's save dialog: resolves to the chosen path, or null when the person cancelled. */
export type PickSavePath = (suggestedName: string, ending: string) => Promise<string | null>

export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void

/**
 * The host's sink behind the contract's check of every outgoing event, for every host alike: a
 * payload its schema rejects is a bug in the studio, named here (event and field) rather than
 * met later in a page.
 */
export function checkedEvents(sink: EventSink): EventSink {
  return (event, payload) => {
    const result = events[event].safeParse(payload)
    if (!result.success) {
      const issue = result.error.issues[0]
      const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'payload'
      throw new Error(`outgoing event ${event}: ${where}: ${issue?.message ?? 'invalid'}`)
    }
    sink(event, payload)
  }
}

export interface OpenProject {
  paths: ProjectPaths
  db: Db
  isDemo: boolean
}

/** What the service's parts share: the open project, background jobs, events and the model host. */
export interface StudioContext {
  requireProject(): OpenProject
  readonly jobs: JobManager
  readonly emit: EventSink
  readonly models: ModelHost
  /** The host's save dialog, where it has one (Electron). */
  readonly pickSavePath?: PickSavePath
}

/** A part of the service: implements some of the contract's methods. */
export type ApiPart<K extends MethodName> = Pick<StudioApi, K>

/** A method's input as its schema parsed it, and the output its implementation promises. */
export type In<M extends MethodName> = MethodParsedInput<M>
export type Out<M extends MethodName> = Promise<MethodOutput<M>>

/** The named methods of a part, bound to it, ready to merge into the whole API. */
export function bindPart<K extends MethodName>(part: ApiPart<K>, names: readonly K[]): ApiPart<K> {
  const bound = {} as Record<K, unknown>
  for (const name of names) {
    const method = part[name] as unknown as (...args: unknown[]) => unknown
    bound[name] = method.bind(part)
  }
  return bound as ApiPart<K>
}
