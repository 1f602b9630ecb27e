/** Progress and cancellation, shared by every long task; pure, so the CLI, the service and the UI agree. */

export interface ProgressUpdate {
  phase: string
  done: number
  total: number
}

export interface TaskControl {
  signal?: AbortSignal
  onProgress?: (update: ProgressUpdate) => void
}

export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message)
    this.name = 'CancelledError'
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError()
}

/**
 * Items per second smoothed over a sliding window, and the ETA it implies. A window rather than the
 * whole-run average so the ETA follows a task whose speed changes (cache hits, then misses).
 */
export class RateEstimator {
  private samples: { t: number; done: number }[] = []

  constructor(private readonly windowMs = 5000) {}

  update(done: number, now: number): void {
    this.samples.push({ t: now, done })
    while (this.samples.length > 2 && now - (this.samples[0] as { t: number }).t > this.windowMs) {
      this.samples.shift()
    }
  }

  reset(): void {
    this.samples = []
  }

  rate(): number {
    const first = this.samples[0]
    const last = this.samples[this.samples.length - 1]
    if (!first || !last || last.t <= first.t) return 0
    return ((last.done - first.done) * 1000) / (last.t - first.t)
  }

  etaSeconds(done: number, total: number): number | null {
    const rate = this.rate()
    if (rate <= 0 || total <= done) return total <= done ? 0 : null
    return (total - done) / rate
  }
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--'
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const mm = String(m).padStart(2, '0')
  const ss = String(sec).padStart(2, '0')
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`
}
