/**
 * The page's one "latest request wins" helper, for whatever asks the host faster than it answers
 * (sliders, scrubbing a morph, a selection being drawn, a picker being paged). At most one request
 * is in flight; while it is, only the most recent wish is remembered, and it is sent when the reply
 * comes back — unless it is what was just answered. A queue would replay every wish long after the
 * user stopped; parallel requests could land out of order. Replies that belong to an earlier
 * generation (the state they were asked for changed since) are dropped.
 */

export interface LatestWinsOptions<T, R> {
  /** Sends one request; the scheduler never calls it while another is in flight. */
  send: (value: T) => Promise<R>
  /** A current reply: what the screen should now show. */
  onResult: (value: T, result: R) => void
  /** A current failure; the scheduler goes on with the next wish. */
  onError?: (value: T, error: unknown) => void
  /** Whether two wishes ask for the same thing; `Object.is` unless given. */
  equals?: (a: T, b: T) => boolean
}

interface Sent<T> {
  value: T
  generation: number
}

export class LatestWins<T, R> {
  /** Requests sent so far (for tests and diagnostics). */
  sent = 0
  /** Replies dropped because they answered an out-of-date question. */
  dropped = 0
  private inFlight: Sent<T> | null = null
  private pending: { value: T } | null = null
  private shown: Sent<T> | null = null
  private generation = 0
  private disposed = false
  private readonly equals: (a: T, b: T) => boolean

  constructor(private readonly options: LatestWinsOptions<T, R>) {
    this.equals = options.equals ?? Object.is
  }

  get busy(): boolean {
    return this.inFlight !== null
  }

  /** Whether a newer wish waits to go out once the current reply arrives. */
  get hasWaiting(): boolean {
    return this.pending !== null
  }

  /** Asks for `value`; sent now if nothing is in flight, else remembered as the latest wish. */
  request(value: T): void {
    if (this.disposed) return
    const current = this.inFlight
    if (current) {
      // Asking again for what is already on its way needs no second request.
      const same = current.generation === this.generation && this.equals(current.value, value)
      this.pending = same ? null : { value }
      return
    }
    const shown = this.shown
    if (shown && shown.generation === this.generation && this.equals(shown.value, value)) return
    this.dispatch(value)
  }

  /**
   * What the requests depend on changed (say, the timeline was edited): the reply in flight, if any,
   * is dropped when it arrives, a remembered wish is forgotten (it was made for the old state), and
   * the next request is sent even if it asks for the same value.
   */
  invalidate(): void {
    this.generation++
    this.shown = null
    this.pending = null
  }

  /** Stops everything: nothing further is sent, and replies still travelling are dropped. */
  dispose(): void {
    this.disposed = true
    this.pending = null
    this.generation++
  }

  private dispatch(value: T): void {
    const ticket: Sent<T> = { value, generation: this.generation }
    this.inFlight = ticket
    this.sent++
    let promise: Promise<R>
    try {
      promise = this.options.send(value)
    } catch (error) {
      promise = Promise.reject(error)
    }
    promise.then(
      (result) => this.settle(ticket, true, () => this.options.onResult(value, result)),
      (error: unknown) => this.settle(ticket, false, () => this.options.onError?.(value, error)),
    )
  }

  private settle(ticket: Sent<T>, ok: boolean, deliver: () => void): void {
    this.inFlight = null
    if (this.disposed) return
    if (ticket.generation === this.generation) {
      // A failure shows nothing, so asking for the same value again must retry it.
      if (ok) this.shown = ticket
      deliver()
    } else {
      this.dropped++
    }
    const next = this.pending
    this.pending = null
    if (next) this.request(next.value)
  }
}
