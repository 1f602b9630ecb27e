import { describe, expect, it } from 'vitest'
import { FpsMeter, playbackFrame } from '../../src/renderer/src/lib/morphPlayback'

describe('playbackFrame', () => {
  it('advances at the chosen fps from the start frame', () => {
    expect(playbackFrame(0, 10, 30, 'loop', 4).frame).toBe(4)
    expect(playbackFrame(99, 10, 30, 'loop', 4).frame).toBe(4)
    expect(playbackFrame(100, 10, 30, 'loop', 4).frame).toBe(5)
    expect(playbackFrame(1000, 25, 100, 'loop').frame).toBe(25)
  })

  it('wraps in loop and ping-pong, stops at the end once', () => {
    expect(playbackFrame(3000, 10, 25, 'loop').frame).toBe(5)
    expect(playbackFrame(3000, 10, 25, 'ping-pong')).toEqual({ frame: 5, done: false })
    expect(playbackFrame(2300, 10, 25, 'once')).toEqual({ frame: 23, done: false })
    expect(playbackFrame(2400, 10, 25, 'once')).toEqual({ frame: 24, done: true })
    expect(playbackFrame(9000, 10, 25, 'once')).toEqual({ frame: 24, done: true })
  })

  it('copes with an empty schedule and odd inputs', () => {
    expect(playbackFrame(100, 10, 0, 'loop')).toEqual({ frame: 0, done: true })
    expect(playbackFrame(-50, 10, 5, 'loop', 99).frame).toBe(4)
  })
})

describe('FpsMeter', () => {
  it('measures frames shown per second over its window', () => {
    const meter = new FpsMeter(1000)
    expect(meter.tick(0)).toBe(0)
    for (let t = 100; t <= 2000; t += 100) meter.tick(t)
    expect(meter.rate()).toBeCloseTo(10, 5)
    // Decoding slows down: the meter follows within a window.
    for (let t = 2250; t <= 4000; t += 250) meter.tick(t)
    expect(meter.rate()).toBeCloseTo(4, 5)
    meter.reset()
    expect(meter.rate()).toBe(0)
  })
})
