/**
 * Which faces an export needs: the frames of the output in order, each pointing at one of the
 * distinct latents to decode (holds and the ping-pong return reuse faces instead of decoding them
 * again). Pure: no model, no I/O.
 */
import type { ExportFormat } from '../../../shared/contractMorph'
import {
  frameLatent,
  scheduleDelays,
  scheduleFrames,
  type ScheduledFrame,
  type Timeline,
} from '../../../shared/latent'

export interface FramePlan {
  /** Distinct latents, in first-use order. */
  latents: Float32Array[]
  /** Per output frame: its latent's index in `latents`. */
  frames: number[]
  /** Per output frame display time in 1/100 s (GIF and WebP; holds are longer delays). */
  delaysCs: number[] | null
  /** Per output frame position 0…1 along the keyframes (the contact strip's captions). */
  alphas: number[]
}

type Slot = Pick<ScheduledFrame, 'segment' | 'progress'> & { t: number; delayCs?: number }

function build(tl: Timeline, slots: readonly Slot[], withDelays: boolean): FramePlan {
  const seen = new Map<string, number>()
  const latents: Float32Array[] = []
  const frames = slots.map((slot) => {
    const key = `${slot.segment}:${slot.progress}`
    let index = seen.get(key)
    if (index === undefined) {
      index = latents.length
      seen.set(key, index)
      latents.push(frameLatent(tl, slot))
    }
    return index
  })
  const open = tl.keyframes.length - 1
  return {
    latents,
    frames,
    delaysCs: withDelays ? slots.map((s) => s.delayCs ?? 0) : null,
    alphas: slots.map((s) => Math.min(1, (s.segment + s.t) / open)),
  }
}

/** The strip reads left to right once: the first pass from the first keyframe to the last. */
function forwardPass(tl: Timeline): Slot[] {
  const last = tl.keyframes.length - 1
  const all = scheduleDelays(tl)
  const end = all.findIndex((f) => f.keyframe === last)
  return all.slice(0, end < 0 ? all.length : end + 1)
}

export function planFrames(tl: Timeline, format: ExportFormat): FramePlan {
  switch (format) {
    case 'gif':
    case 'webp':
      return build(tl, scheduleDelays(tl), true)
    case 'png-sequence':
      // Fixed-rate frames: a hold is the same face repeated.
      return build(tl, scheduleFrames(tl), false)
    case 'png-strip':
      return build(tl, forwardPass(tl), false)
  }
}

/** How many frames (files, for a sequence) the export will hold. */
export function outputFrameCount(tl: Timeline, format: ExportFormat): number {
  const plan = planFrames(tl, format)
  // The strip adds the two originals at its ends.
  return format === 'png-strip' ? plan.frames.length + 2 : plan.frames.length
}
