/**
 * Sends requests one at a time and drops the stale ones: while a request is in flight only the
 * newest state waits, and it goes out when the reply comes. Sliders produce many states a second;
 * a queue would replay every one of them, long after the user stopped.
 */
export class LatestOnly<S, R> {
  private inFlight = false
  private waiting: { state: S } | null = null
  private disposed = false

  constructor(
    private readonly send: (state: S) => Promise<R>,
    private readonly deliver: (result: R, state: S) => void,
    private readonly fail: (error: unknown) => void = () => undefined,
  ) {}

  get busy(): boolean {
    return this.inFlight
  }

  /** Whether a newer state waits to go out once the current reply arrives. */
  get hasWaiting(): boolean {
    return this.waiting !== null
  }

  push(state: S): void {
    if (this.disposed) return
    if (this.inFlight) {
      this.waiting = { state }
      return
    }
    void this.run(state)
  }

  /** Stops sending and delivering (the screen went away). */
  dispose(): void {
    this.disposed = true
    this.waiting = null
  }

  private async run(state: S): Promise<void> {
    this.inFlight = true
    try {
      const result = await this.send(state)
      if (!this.disposed) this.deliver(result, state)
    } catch (error) {
      if (!this.disposed) this.fail(error)
    } finally {
      this.inFlight = false
      const next = this.waiting
      this.waiting = null
      if (next && !this.disposed) void this.run(next.state)
    }
  }
}
