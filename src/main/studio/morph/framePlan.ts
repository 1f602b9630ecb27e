/**
 * Which faces an export needs: the frames of the output in order, each pointing at one of the
 * distinct latents to decode (holds and the ping-pong return reuse faces instead of decoding them
 * again). Pure: no model, no I/O.
 */
import { ContractError } from '../../../shared/contract'
import type { ExportFormat } from '../../../shared/contractMorph'
import { MAX_MORPH_FRAMES, MAX_MORPH_PIXELS } from '../../../shared/limits'
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

/** How many frames (files, for a sequence) the export will hold; schedules only, no latents. */
export function outputFrameCount(tl: Timeline, format: ExportFormat): number {
  switch (format) {
    case 'gif':
    case 'webp':
      return scheduleDelays(tl).length
    case 'png-sequence':
      return scheduleFrames(tl).length
    case 'png-strip':
      // The strip adds the two originals at its ends.
      return forwardPass(tl).length + 2
  }
}

/**
 * Refuses, before any face is decoded, an export over the studio's frame or pixel limits (the
 * timeline schema bounds each segment, so counting its schedule is cheap).
 */
export function checkMorphBudget(tl: Timeline, format: ExportFormat, size: number): number {
  const frames = outputFrameCount(tl, format)
  const limits = 'use fewer frames per segment, shorter holds, fewer keyframes'
  if (frames > MAX_MORPH_FRAMES) {
    throw new ContractError(
      `morph: ${frames.toLocaleString('en')} frames is over the limit of at most ${MAX_MORPH_FRAMES.toLocaleString('en')} frames per export; ${limits}`,
      'bad-request',
    )
  }
  const pixels = frames * size * size
  if (pixels > MAX_MORPH_PIXELS) {
    throw new ContractError(
      `morph: ${frames.toLocaleString('en')} frames of ${size}×${size} is ${pixels.toLocaleString('en')} pixels, over the limit of ${MAX_MORPH_PIXELS.toLocaleString('en')} pixels per export; ${limits} or a smaller size`,
      'bad-request',
    )
  }
  return frames
}
