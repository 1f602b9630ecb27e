/** Preview playback of a morph: which frame is due when, and how fast frames actually arrive. */
import type { LoopMode } from '@shared/latent'

export interface PlaybackTick {
  /** Frame of the schedule due now. */
  frame: number
  /** True once a 'once' playback has reached its last frame. */
  done: boolean
}

/**
 * The frame due `elapsedMs` after playback started at `startFrame`. The schedule already holds the
 * ping-pong return, so both 'loop' and 'ping-pong' simply wrap; 'once' stops on the last frame.
 */
export function playbackFrame(
  elapsedMs: number,
  fps: number,
  frameCount: number,
  loop: LoopMode,
  startFrame = 0,
): PlaybackTick {
  if (frameCount <= 0) return { frame: 0, done: true }
  const advanced = Math.floor((Math.max(0, elapsedMs) * Math.max(0, fps)) / 1000)
  const start = Math.min(Math.max(0, Math.round(startFrame)), frameCount - 1)
  const raw = start + advanced
  if (loop === 'once') {
    const last = frameCount - 1
    return { frame: Math.min(raw, last), done: raw >= last }
  }
  return { frame: raw % frameCount, done: false }
}

/**
 * Frames shown per second over a sliding window: what the viewer really sees, which is lower than
 * the chosen fps when decoding cannot keep up (the scheduler then skips frames).
 */
export class FpsMeter {
  private readonly times: number[] = []

  constructor(private readonly windowMs = 1000) {}

  /** Records a frame shown at `now` (ms) and returns the current rate. */
  tick(now: number): number {
    this.times.push(now)
    while (this.times.length > 2 && now - (this.times[0] as number) > this.windowMs) {
      this.times.shift()
    }
    return this.rate()
  }

  rate(): number {
    const n = this.times.length
    if (n < 2) return 0
    const span = (this.times[n - 1] as number) - (this.times[0] as number)
    return span > 0 ? ((n - 1) * 1000) / span : 0
  }

  reset(): void {
    this.times.length = 0
  }
}
