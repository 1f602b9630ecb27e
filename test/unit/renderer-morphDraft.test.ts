import { describe, expect, it } from 'vitest'
import { morphMethods } from '../../src/shared/contractMorph'
import { parseTimeline, scheduleFrames } from '../../src/shared/latent'
import {
  addKeyframe,
  emptyDraft,
  fromSaved,
  moveKeyframe,
  removeKeyframe,
  segmentCount,
  setHold,
  toSaved,
  toTimeline,
  updateSegment,
  type DraftKeyframe,
  type MorphDraft,
} from '../../src/renderer/src/lib/morphDraft'

function face(label: string, latent: number[]): DraftKeyframe {
  return {
    key: label,
    source: { kind: 'latent', latent, label },
    latent,
    label,
    hold: 0,
    image: null,
  }
}

function threeFaces(): MorphDraft {
  let d = emptyDraft()
  d = addKeyframe(d, face('a', [1, 0, 0]))
  d = addKeyframe(d, face('b', [0, 1, 0]))
  d = addKeyframe(d, face('c', [0, 0, 1]))
  return d
}

describe('morph draft', () => {
  it('has no timeline until two keyframes, then one the contract accepts', () => {
    let d = addKeyframe(emptyDraft(), face('a', [1, 2]))
    expect(toTimeline(d)).toBeNull()
    d = addKeyframe(d, face('b', [3, 4]))
    const tl = toTimeline(d)
    expect(tl?.segments).toHaveLength(1)
    expect(parseTimeline(tl)).toEqual(tl)
  })

  it('uses the closing segment only in a closed loop', () => {
    let d = threeFaces()
    expect(d.segments).toHaveLength(3)
    expect(segmentCount(d)).toBe(2)
    d = { ...d, loop: 'loop' }
    expect(toTimeline(d)?.segments).toHaveLength(3)
    expect(scheduleFrames(parseTimeline(toTimeline(d)))).toHaveLength(36)
    d = { ...d, closeLoop: false }
    expect(toTimeline(d)?.segments).toHaveLength(2)
    d = { ...d, loop: 'ping-pong', closeLoop: true }
    const tl = parseTimeline(toTimeline(d))
    expect(tl.segments).toHaveLength(2)
    // There and back without repeating the turning frames: 25 + 23.
    expect(scheduleFrames(tl)).toHaveLength(48)
  })

  it('edits segments and holds within bounds, and the schedule follows', () => {
    let d = threeFaces()
    d = updateSegment(d, 0, { frames: 4, interpolation: 'lerp', easing: 'ease-in' })
    d = updateSegment(d, 1, { frames: 0 })
    d = updateSegment(d, 1, { frames: Number.NaN })
    d = setHold(d, 1, 3)
    d = setHold(d, 2, -5)
    expect(d.segments[0]).toEqual({ frames: 4, interpolation: 'lerp', easing: 'ease-in' })
    expect(d.segments[1]?.frames).toBe(1)
    expect(d.keyframes.map((k) => k.hold)).toEqual([0, 3, 0])
    const frames = scheduleFrames(parseTimeline(toTimeline(d)))
    expect(frames).toHaveLength(1 + 4 + 3 + 1)
    expect(frames.filter((f) => f.keyframe === 1)).toHaveLength(4)
  })

  it('reorders and removes keyframes, keeping one segment per keyframe', () => {
    let d = threeFaces()
    d = updateSegment(d, 0, { frames: 5 })
    d = moveKeyframe(d, 2, 0)
    expect(d.keyframes.map((k) => k.label)).toEqual(['c', 'a', 'b'])
    expect(d.segments[0]?.frames).toBe(5)
    expect(moveKeyframe(d, 0, 3)).toBe(d)
    d = removeKeyframe(d, 1)
    expect(d.keyframes.map((k) => k.label)).toEqual(['c', 'b'])
    expect(d.segments).toHaveLength(2)
    expect(toTimeline(d)?.keyframes.map((k) => k.latent)).toEqual([
      [0, 0, 1],
      [0, 1, 0],
    ])
  })

  it('new keyframes copy the last segment settings', () => {
    let d = addKeyframe(emptyDraft(), face('a', [1]))
    d = updateSegment(d, 0, { frames: 30, easing: 'ease-out' })
    d = addKeyframe(d, face('b', [2]))
    expect(d.segments[1]).toEqual(d.segments[0])
    expect(d.segments[1]).not.toBe(d.segments[0])
  })

  it('reopens a saved timeline exactly as saved', () => {
    for (const loop of ['once', 'loop', 'ping-pong'] as const) {
      for (const closeLoop of [true, false]) {
        let d = threeFaces()
        d = updateSegment(d, 1, { frames: 7, interpolation: 'lerp', easing: 'ease-in-out' })
        d = setHold(d, 0, 2)
        d = { ...d, loop, closeLoop, fps: 24 }
        const saved = toSaved(d, 'three', 4)
        // What the host stores and answers, through the contract's own schemas.
        const request = morphMethods['timelines.save'].input.parse(saved)
        const stored = morphMethods['timelines.get'].output.parse({
          ...request,
          id: 9,
          updatedAt: '2024-01-01T00:00:00Z',
        })
        const reopened = fromSaved(stored)
        expect(toTimeline(reopened)).toEqual(stored.timeline)
        expect(reopened.keyframes.map((k) => k.source)).toEqual(saved.sources)
        expect(reopened.fps).toBe(24)
      }
    }
  })

  it('refuses to save fewer than two keyframes', () => {
    expect(() => toSaved(addKeyframe(emptyDraft(), face('a', [1])), 'x', null)).toThrow(
      /two keyframes/,
    )
  })
})
