/** A timeline with the same settings on every segment and keyframe: what the CLI's flags describe. */
import {
  parseTimeline,
  type EasingName,
  type LoopMode,
  type Timeline,
} from '../../../shared/latent'

export interface UniformTimelineOptions {
  /** Frames per segment, the arrival frame included. */
  frames: number
  interpolation: 'lerp' | 'slerp'
  easing: EasingName
  /** Extra frames each keyframe is held for. */
  hold: number
  loop: LoopMode
  fps: number
}

export function uniformTimeline(
  keyframes: readonly { latent: ArrayLike<number>; label?: string }[],
  options: UniformTimelineOptions,
): Timeline {
  const segments = keyframes.length - 1 + (options.loop === 'loop' ? 1 : 0)
  return parseTimeline(
    {
      keyframes: keyframes.map((k) => ({
        latent: Array.from(k.latent),
        hold: options.hold,
        ...(k.label === undefined ? {} : { label: k.label }),
      })),
      segments: Array.from({ length: segments }, () => ({
        frames: options.frames,
        interpolation: options.interpolation,
        easing: options.easing,
      })),
      loop: options.loop,
      fps: options.fps,
    },
    'morph timeline',
  )
}
