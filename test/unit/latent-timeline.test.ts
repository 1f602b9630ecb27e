import { describe, expect, it } from 'vitest'
import {
  ease,
  frameLatent,
  latentAt,
  lerp,
  norm,
  parseTimeline,
  scheduleDelays,
  scheduleFrames,
  slerp,
  type TimelineInput,
} from '../../src/shared/latent'

const base = (over: Partial<TimelineInput> = {}): TimelineInput => ({
  keyframes: [
    { latent: [3, 0, 0, 4] },
    { latent: [0, 5, 0, 0], hold: 2 },
    { latent: [0, 0, 5, 0] },
  ],
  segments: [
    { frames: 4, interpolation: 'slerp', easing: 'linear' },
    { frames: 2, interpolation: 'lerp', easing: 'ease-in' },
  ],
  loop: 'once',
  fps: 10,
  ...over,
})

describe('timeline schema', () => {
  it('applies defaults and accepts a valid timeline', () => {
    const tl = parseTimeline({
      keyframes: [{ latent: [0, 1] }, { latent: [1, 0] }],
      segments: [{ frames: 3 }],
    })
    expect(tl.loop).toBe('once')
    expect(tl.keyframes[0]!.hold).toBe(0)
    expect(tl.segments[0]!.interpolation).toBe('slerp')
  })

  it('names the field that is wrong', () => {
    expect(() => parseTimeline({ keyframes: [{ latent: [1] }], segments: [] }, 't.json')).toThrow(
      /t\.json: keyframes/,
    )
    expect(() =>
      parseTimeline({
        keyframes: [{ latent: [1, 2] }, { latent: [1] }],
        segments: [{ frames: 1 }],
      }),
    ).toThrow(/keyframes\.1\.latent/)
    expect(() => parseTimeline(base({ segments: [{ frames: 2 }] }))).toThrow(/segments/)
    // A closing segment is only allowed when looping.
    const closing = [...base().segments!, { frames: 2 }]
    expect(() => parseTimeline(base({ segments: closing }))).toThrow(/segments/)
    expect(parseTimeline(base({ segments: closing, loop: 'loop' })).segments).toHaveLength(3)
  })
})

describe('scheduleFrames', () => {
  it('lists keyframe, in-between and held frames in order', () => {
    const tl = parseTimeline(base())
    const frames = scheduleFrames(tl)
    // 1 (kf0) + 4 (seg0, arriving at kf1) + 2 holds + 2 (seg1)
    expect(frames).toHaveLength(9)
    expect(frames.map((f) => f.keyframe)).toEqual([0, null, null, null, 1, 1, 1, null, 2])
    expect(frames.map((f) => f.hold)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      false,
      false,
    ])
    expect(frames.map((f) => f.segment)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1])
    expect(frames[7]!.progress).toBeCloseTo(0.5)
    expect(frames[7]!.t).toBeCloseTo(ease('ease-in', 0.5))
  })

  it('frame latents hit the keyframes and follow the segment interpolation', () => {
    const tl = parseTimeline(base())
    const frames = scheduleFrames(tl)
    expect(Array.from(frameLatent(tl, frames[0]!))).toEqual([3, 0, 0, 4])
    expect(Array.from(frameLatent(tl, frames[4]!)).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([
      0, 5, 0, 0,
    ])
    // Equal-norm keyframes (5 and 5) joined by slerp keep the norm.
    for (const f of frames.slice(0, 5)) expect(norm(frameLatent(tl, f))).toBeCloseTo(5, 4)
    const mid = frameLatent(tl, frames[2]!)
    expect(Array.from(mid)).toEqual(Array.from(slerp([3, 0, 0, 4], [0, 5, 0, 0], 0.5)))
    const lerped = frameLatent(tl, frames[7]!)
    expect(Array.from(lerped)).toEqual(
      Array.from(lerp([0, 5, 0, 0], [0, 0, 5, 0], ease('ease-in', 0.5))),
    )
  })

  it('ping-pong goes back without repeating the turning frames', () => {
    const tl = parseTimeline(
      base({
        keyframes: [{ latent: [1, 0] }, { latent: [0, 1] }],
        segments: [{ frames: 3 }],
        loop: 'ping-pong',
      }),
    )
    const frames = scheduleFrames(tl)
    expect(frames.map((f) => f.progress)).toEqual([0, 1 / 3, 2 / 3, 1, 2 / 3, 1 / 3])
    expect(frames.map((f) => f.keyframe)).toEqual([0, null, null, 1, null, null])
  })

  it('ping-pong keeps holds at the ends once and repeats middle holds on the way back', () => {
    const tl = parseTimeline(base({ loop: 'ping-pong' }))
    const frames = scheduleFrames(tl)
    const kf = frames.map((f) => f.keyframe)
    // forward: 0 n n n 1 1 1 n 2 ; back: n 1 1 1 n n n
    expect(kf).toEqual([0, null, null, null, 1, 1, 1, null, 2, null, 1, 1, 1, null, null, null])
  })

  it('loop with a closing segment wraps to the first keyframe without repeating it', () => {
    const tl = parseTimeline(
      base({
        keyframes: [{ latent: [1, 0] }, { latent: [0, 1] }],
        segments: [{ frames: 2 }, { frames: 2 }],
        loop: 'loop',
      }),
    )
    const frames = scheduleFrames(tl)
    expect(frames.map((f) => [f.segment, f.progress])).toEqual([
      [0, 0],
      [0, 0.5],
      [0, 1],
      [1, 0.5],
    ])
    expect(Array.from(frameLatent(tl, frames[3]!))[0]).toBeCloseTo(Math.SQRT1_2, 5)
  })
})

describe('scheduleDelays', () => {
  it('turns holds into longer delays with the same total time', () => {
    const tl = parseTimeline(base())
    const timed = scheduleDelays(tl)
    expect(timed).toHaveLength(7)
    expect(timed.map((f) => f.delayCs)).toEqual([10, 10, 10, 10, 30, 10, 10])
    const frames = scheduleFrames(tl)
    expect(timed.reduce((s, f) => s + f.delayCs, 0)).toBe(frames.length * 10)
  })

  it('rounds cumulatively when 100/fps is fractional', () => {
    const tl = parseTimeline(base({ fps: 30 }))
    const timed = scheduleDelays(tl)
    const total = timed.reduce((s, f) => s + f.delayCs, 0)
    expect(total).toBe(Math.round((9 * 100) / 30))
    for (const f of timed)
      expect(Math.abs(f.delayCs - (f.repeat * 100) / 30)).toBeLessThanOrEqual(1)
  })
})

describe('latentAt', () => {
  it('equals the scheduled frames at integer positions and moves between them', () => {
    const tl = parseTimeline(base({ loop: 'ping-pong' }))
    const frames = scheduleFrames(tl)
    frames.forEach((f, i) => {
      const a = latentAt(tl, i)
      const b = frameLatent(tl, f)
      a.forEach((v, k) => expect(v).toBeCloseTo(b[k]!, 5))
    })
    // Halfway between frame 0 (progress 0) and 1 (progress 0.25) of a slerp segment.
    const half = latentAt(tl, 0.5)
    const expected = slerp([3, 0, 0, 4], [0, 5, 0, 0], 0.125)
    half.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 5))
    // Held frames stand still.
    const h = latentAt(tl, 5.5)
    h.forEach((v, k) => expect(v).toBeCloseTo([0, 5, 0, 0][k]!, 4))
    // Clamped outside the range.
    expect(Array.from(latentAt(tl, -3))).toEqual(Array.from(latentAt(tl, 0)))
  })
})
