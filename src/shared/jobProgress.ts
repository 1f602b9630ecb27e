import type { JobKind, JobProgress } from './contract'

/** A job's progress before its first report: the host's record of it and the page's placeholder. */
export function startingProgress(jobId: string, kind: JobKind): JobProgress {
  return { jobId, kind, phase: 'starting', done: 0, total: 0, ratePerSecond: 0, etaSeconds: null }
}
