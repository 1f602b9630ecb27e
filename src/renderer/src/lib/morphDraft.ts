/**
 * The Morph screen's timeline as the user edits it, and its conversion to and from the contract's
 * timeline. Pure: every edit returns a new draft.
 *
 * The draft keeps one segment per keyframe — segment i leads from keyframe i to keyframe i + 1, the
 * last one from the last keyframe back to the first — so switching the loop mode or reordering never
 * loses a segment's settings; `toTimeline` drops the closing one unless the loop is closed.
 */
import type { MethodOutput } from '@shared/contract'
import type { FaceSource } from '@shared/contractLatent'
import type { SavedTimeline } from '@shared/contractMorph'
import type { EasingName, LoopMode, Timeline } from '@shared/latent'

export type Interpolation = 'lerp' | 'slerp'

export interface DraftKeyframe {
  /** Unique within the draft, for keyed lists and late image updates. */
  key: string
  source: FaceSource
  latent: number[]
  label: string
  /** Extra frames the keyframe stays on screen. */
  hold: number
  /** A data URL of the decoded face, once known. */
  image: string | null
}

export interface DraftSegment {
  frames: number
  interpolation: Interpolation
  easing: EasingName
}

export interface MorphDraft {
  keyframes: DraftKeyframe[]
  segments: DraftSegment[]
  loop: LoopMode
  /** In 'loop' mode: morph from the last keyframe back to the first, so the loop has no jump. */
  closeLoop: boolean
  fps: number
}

export const DEFAULT_SEGMENT: DraftSegment = {
  frames: 12,
  interpolation: 'slerp',
  easing: 'linear',
}
export const MAX_SEGMENT_FRAMES = 600
export const MAX_HOLD = 600

export function emptyDraft(): MorphDraft {
  return { keyframes: [], segments: [], loop: 'once', closeLoop: true, fps: 12 }
}

function clampInt(value: number, min: number, max: number, fallback: number): number {
  if (!Number.isFinite(value)) return fallback
  return Math.min(max, Math.max(min, Math.round(value)))
}

export function addKeyframe(draft: MorphDraft, keyframe: DraftKeyframe): MorphDraft {
  // The new keyframe's segment copies the last one's settings: timelines tend to be uniform.
  const template = draft.segments[draft.segments.length - 1] ?? DEFAULT_SEGMENT
  return {
    ...draft,
    keyframes: [...draft.keyframes, keyframe],
    segments: [...draft.segments, { ...template }],
  }
}

export function removeKeyframe(draft: MorphDraft, index: number): MorphDraft {
  if (index < 0 || index >= draft.keyframes.length) return draft
  return {
    ...draft,
    keyframes: draft.keyframes.filter((_, i) => i !== index),
    segments: draft.segments.filter((_, i) => i !== index),
  }
}

/** Moves a keyframe; segments stay where they are (between the same two slots). */
export function moveKeyframe(draft: MorphDraft, from: number, to: number): MorphDraft {
  const n = draft.keyframes.length
  if (from < 0 || from >= n || to < 0 || to >= n || from === to) return draft
  const keyframes = [...draft.keyframes]
  const [moved] = keyframes.splice(from, 1)
  keyframes.splice(to, 0, moved as DraftKeyframe)
  return { ...draft, keyframes }
}

export function updateSegment(
  draft: MorphDraft,
  index: number,
  patch: Partial<DraftSegment>,
): MorphDraft {
  const current = draft.segments[index]
  if (!current) return draft
  const next = { ...current, ...patch }
  next.frames = clampInt(next.frames, 1, MAX_SEGMENT_FRAMES, current.frames)
  return { ...draft, segments: draft.segments.map((s, i) => (i === index ? next : s)) }
}

export function setHold(draft: MorphDraft, index: number, hold: number): MorphDraft {
  const current = draft.keyframes[index]
  if (!current) return draft
  const next = { ...current, hold: clampInt(hold, 0, MAX_HOLD, current.hold) }
  return { ...draft, keyframes: draft.keyframes.map((k, i) => (i === index ? next : k)) }
}

/** Segments the timeline uses: the closing one only in a closed 'loop'. */
export function segmentCount(draft: MorphDraft): number {
  const n = draft.keyframes.length
  if (n < 2) return 0
  return draft.loop === 'loop' && draft.closeLoop ? n : n - 1
}

/** The contract's timeline, or null while there are fewer than two keyframes. */
export function toTimeline(draft: MorphDraft): Timeline | null {
  if (draft.keyframes.length < 2) return null
  return {
    // Fresh arrays, so no reactive proxy travels to the host.
    keyframes: draft.keyframes.map((k) => ({
      latent: [...k.latent],
      hold: k.hold,
      ...(k.label ? { label: k.label } : {}),
    })),
    segments: draft.segments.slice(0, segmentCount(draft)).map((s) => ({ ...s })),
    loop: draft.loop,
    fps: draft.fps,
  }
}

function copySource(source: FaceSource): FaceSource {
  return source.kind === 'latent' ? { ...source, latent: [...source.latent] } : { ...source }
}

export function toSaved(draft: MorphDraft, name: string, runId: number | null): SavedTimeline {
  const timeline = toTimeline(draft)
  if (!timeline) throw new Error('A timeline needs at least two keyframes before it can be saved')
  return { name, runId, timeline, sources: draft.keyframes.map((k) => copySource(k.source)) }
}

/** A saved timeline back as a draft, exactly as it was stored (images are decoded afterwards). */
export function fromSaved(saved: MethodOutput<'timelines.get'>): MorphDraft {
  const tl = saved.timeline
  const keyframes = tl.keyframes.map((k, i): DraftKeyframe => ({
    key: `saved-${saved.id}-${i}`,
    source: saved.sources[i] ?? { kind: 'latent', latent: [...k.latent] },
    latent: [...k.latent],
    label: k.label ?? `keyframe ${i + 1}`,
    hold: k.hold,
    image: null,
  }))
  const segments = tl.segments.map((s) => ({ ...s }))
  const closeLoop = tl.loop !== 'loop' || segments.length === keyframes.length
  // The draft always has a closing segment; an open timeline gets the last one's settings for it.
  while (segments.length < keyframes.length) {
    segments.push({ ...(segments[segments.length - 1] ?? DEFAULT_SEGMENT) })
  }
  return { keyframes, segments, loop: tl.loop, closeLoop, fps: tl.fps }
}

/** A stable key for "did the timeline change?" without comparing proxies. */
export function timelineKey(timeline: Timeline | null): string {
  return timeline ? JSON.stringify(timeline) : ''
}
