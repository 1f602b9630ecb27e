/**
 * Morph timelines: keyframe latents joined by segments, scheduled into the ordered frames of one
 * playback cycle. Pure data in and out, so the page can preview what the exporter will write.
 */
import { z } from 'zod'
import { MAX_HOLD_FRAMES, MAX_KEYFRAMES, MAX_SEGMENT_FRAMES } from '../limits'
import { EASING_NAMES, ease } from './easing'
import { lerp, slerp } from './vector'

export const LOOP_MODES = ['once', 'loop', 'ping-pong'] as const
export type LoopMode = (typeof LOOP_MODES)[number]

export const keyframeSchema = z.object({
  latent: z.array(z.number().finite()).min(1).max(4096),
  /** Extra frames the keyframe is shown for, beyond its own frame. */
  hold: z
    .number()
    .int()
    .min(0)
    .max(MAX_HOLD_FRAMES, `at most ${MAX_HOLD_FRAMES} hold frames (the studio's limit)`)
    .default(0),
  label: z.string().max(200).optional(),
})

export const segmentSchema = z.object({
  /** Frames from one keyframe to the next, the arrival frame included; at least 1. */
  frames: z
    .number()
    .int()
    .min(1)
    .max(
      MAX_SEGMENT_FRAMES,
      `at most ${MAX_SEGMENT_FRAMES} frames per segment (the studio's limit)`,
    ),
  interpolation: z.enum(['lerp', 'slerp']).default('slerp'),
  easing: z.enum(EASING_NAMES).default('linear'),
})

export const timelineSchema = z
  .object({
    keyframes: z
      .array(keyframeSchema)
      .min(2)
      .max(MAX_KEYFRAMES, `at most ${MAX_KEYFRAMES} keyframes (the studio's limit)`),
    /**
     * keyframes.length − 1 segments; in 'loop' mode one more may close the loop (last → first), so
     * the animation wraps without a jump.
     */
    segments: z.array(segmentSchema).max(MAX_KEYFRAMES),
    loop: z.enum(LOOP_MODES).default('once'),
    /** Playback rate for the delays variant; GIF delays are whole 1/100 s, so at most 50. */
    fps: z.number().positive().max(50).default(12),
  })
  .superRefine((tl, ctx) => {
    const dim = tl.keyframes[0]?.latent.length ?? 0
    tl.keyframes.forEach((kf, i) => {
      if (kf.latent.length !== dim) {
        ctx.addIssue({
          code: 'custom',
          path: ['keyframes', i, 'latent'],
          message: `latent has ${kf.latent.length} values, keyframe 0 has ${dim}; all keyframes must share one latent size`,
        })
      }
    })
    const open = tl.keyframes.length - 1
    const allowed = tl.loop === 'loop' ? [open, open + 1] : [open]
    if (!allowed.includes(tl.segments.length)) {
      ctx.addIssue({
        code: 'custom',
        path: ['segments'],
        message: `${tl.segments.length} segments for ${tl.keyframes.length} keyframes; expected ${allowed.join(' or ')} (one closing segment is allowed only in 'loop' mode)`,
      })
    }
  })

export type Keyframe = z.output<typeof keyframeSchema>
export type Segment = z.output<typeof segmentSchema>
export type Timeline = z.output<typeof timelineSchema>
export type TimelineInput = z.input<typeof timelineSchema>

/** Validates untrusted JSON (a saved timeline); the error names the field and what is wrong. */
export function parseTimeline(value: unknown, source = 'timeline'): Timeline {
  const result = timelineSchema.safeParse(value)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue?.path.length ? issue.path.join('.') : '(root)'
    throw new Error(`${source}: ${where}: ${issue?.message ?? 'invalid timeline'}`)
  }
  return result.data
}

export interface ScheduledFrame {
  /** Segment whose interpolation gives this frame's latent. */
  segment: number
  /** Un-eased progress through the segment, 0..1. */
  progress: number
  /** Eased t actually used for interpolation. */
  t: number
  /** Keyframe index when the frame shows a keyframe exactly, else null. */
  keyframe: number | null
  /** True for the extra copies of a held keyframe (the first showing is not a hold). */
  hold: boolean
}

export interface TimedFrame extends Omit<ScheduledFrame, 'hold'> {
  /** How many frame slots this entry stands for (1 + the hold). */
  repeat: number
  /** Display time in 1/100 s (GIF units). */
  delayCs: number
}

interface CompactFrame {
  segment: number
  progress: number
  keyframe: number | null
  repeat: number
}

function checkTimeline(tl: Timeline): void {
  const open = tl.keyframes.length - 1
  if (tl.keyframes.length < 2) throw new Error('timeline: at least 2 keyframes are needed')
  const ok = tl.segments.length === open || (tl.loop === 'loop' && tl.segments.length === open + 1)
  if (!ok)
    throw new Error(`timeline: ${tl.segments.length} segments for ${tl.keyframes.length} keyframes`)
}

function keyframeEnd(tl: Timeline, segment: number): number {
  return (segment + 1) % tl.keyframes.length
}

/** One cycle with each keyframe once and its hold as a repeat count. */
function compactSchedule(tl: Timeline): CompactFrame[] {
  checkTimeline(tl)
  const closing = tl.segments.length === tl.keyframes.length
  const out: CompactFrame[] = [
    { segment: 0, progress: 0, keyframe: 0, repeat: 1 + (tl.keyframes[0]?.hold ?? 0) },
  ]
  tl.segments.forEach((seg, s) => {
    for (let k = 1; k <= seg.frames; k++) {
      const arrival = k === seg.frames
      const kf = arrival ? keyframeEnd(tl, s) : null
      // The closing segment arrives back at keyframe 0, which the next cycle opens with.
      if (arrival && closing && s === tl.segments.length - 1) break
      out.push({
        segment: s,
        progress: k / seg.frames,
        keyframe: kf,
        repeat: 1 + (kf === null ? 0 : (tl.keyframes[kf]?.hold ?? 0)),
      })
    }
  })
  if (tl.loop === 'ping-pong' && out.length > 2) {
    // Back again without repeating the turning frames (the last and the first).
    for (let i = out.length - 2; i >= 1; i--) out.push({ ...(out[i] as CompactFrame) })
  }
  return out
}

function easedT(tl: Timeline, segment: number, progress: number): number {
  const seg = tl.segments[segment] as Segment
  return ease(seg.easing, progress)
}

/** The ordered frames of one cycle, holds expanded into repeated frames. */
export function scheduleFrames(tl: Timeline): ScheduledFrame[] {
  const out: ScheduledFrame[] = []
  for (const c of compactSchedule(tl)) {
    const t = easedT(tl, c.segment, c.progress)
    for (let r = 0; r < c.repeat; r++) {
      out.push({ segment: c.segment, progress: c.progress, t, keyframe: c.keyframe, hold: r > 0 })
    }
  }
  return out
}

/**
 * The same cycle with each held keyframe once and a longer delay, for formats with per-frame
 * delays (GIF, WebP): fewer frames, same timing. Delays are rounded cumulatively so the total
 * duration stays right even when 100/fps is not a whole number.
 */
export function scheduleDelays(tl: Timeline, fps: number = tl.fps): TimedFrame[] {
  if (!(fps > 0) || fps > 100) throw new Error(`timeline: fps ${fps} must be in (0, 100]`)
  let elapsed = 0
  return compactSchedule(tl).map((c) => {
    const before = Math.round((elapsed * 100) / fps)
    elapsed += c.repeat
    const after = Math.round((elapsed * 100) / fps)
    return {
      segment: c.segment,
      progress: c.progress,
      t: easedT(tl, c.segment, c.progress),
      keyframe: c.keyframe,
      repeat: c.repeat,
      delayCs: after - before,
    }
  })
}

/** The latent at a point of a segment: progress is un-eased, the segment's easing applies. */
export function segmentLatent(tl: Timeline, segment: number, progress: number): Float32Array {
  const seg = tl.segments[segment]
  if (!seg) throw new Error(`timeline: no segment ${segment}`)
  const a = (tl.keyframes[segment] as Keyframe).latent
  const b = (tl.keyframes[keyframeEnd(tl, segment)] as Keyframe).latent
  const t = ease(seg.easing, progress)
  return seg.interpolation === 'slerp' ? slerp(a, b, t) : lerp(a, b, t)
}

export function frameLatent(
  tl: Timeline,
  frame: Pick<ScheduledFrame, 'segment' | 'progress'>,
): Float32Array {
  return segmentLatent(tl, frame.segment, frame.progress)
}

/**
 * Scrubbing: the latent at a continuous playhead position measured in frames of scheduleFrames
 * (0 … frames − 1). Between two frames the position moves linearly along the segment coordinate
 * (segment + progress), so integer positions give exactly the scheduled frames, holds stay still and
 * the ping-pong return runs backwards.
 */
export function latentAt(tl: Timeline, position: number): Float32Array {
  const frames = scheduleFrames(tl)
  if (!Number.isFinite(position)) throw new Error('timeline: playhead position must be finite')
  const p = Math.min(Math.max(position, 0), frames.length - 1)
  const i = Math.floor(p)
  const f = p - i
  const a = frames[i] as ScheduledFrame
  const b = frames[Math.min(i + 1, frames.length - 1)] as ScheduledFrame
  const sa = a.segment + a.progress
  const sb = b.segment + b.progress
  const s = sa + (sb - sa) * f
  const segment = Math.min(Math.floor(s), tl.segments.length - 1)
  return segmentLatent(tl, segment, Math.min(1, s - segment))
}
