import { describe, expect, it } from 'vitest'
import {
  captionRowSvg,
  histogramGridSvg,
  NEGATIVE_COLOUR,
  POSITIVE_COLOUR,
  scatterSvg,
  strengthLabel,
  strengths,
} from '../../src/main/studio/latent/plots'

const count = (text: string, pattern: RegExp): number => (text.match(pattern) ?? []).length

describe('strip strengths', () => {
  it('are evenly spaced and inclusive, captioned with a true minus sign', () => {
    expect(strengths(-4, 4, 9)).toEqual([-4, -3, -2, -1, 0, 1, 2, 3, 4])
    expect(strengths(0, 1, 3)).toEqual([0, 0.5, 1])
    expect(() => strengths(0, 1, 1)).toThrow(/at least 2/)
    expect(strengths(-4, 4, 9).map(strengthLabel)).toEqual([
      '−4',
      '−3',
      '−2',
      '−1',
      '0',
      '+1',
      '+2',
      '+3',
      '+4',
    ])
    expect(strengthLabel(-1.3333333)).toBe('−1.33')
  })
})

describe('scatterSvg', () => {
  const coords = Float32Array.from([0, 0, 1, 1, 2, 0.5, -1, 3])
  it('draws one circle per point in the colour of its class, with a legend and a title', () => {
    const svg = scatterSvg({
      coords,
      colours: Int8Array.from([1, -1, 1, 0]),
      attribute: 'Smiling',
      title: 'UMAP <run 1>',
    })
    const layers = svg.match(/<g fill="[^"]+" fill-opacity="[^"]+">.*?<\/g>/g) ?? []
    const inLayer = (colour: string): number =>
      count(layers.find((l) => l.startsWith(`<g fill="${colour}"`)) ?? '', /<circle /g)
    expect(inLayer(POSITIVE_COLOUR)).toBe(2)
    expect(inLayer(NEGATIVE_COLOUR)).toBe(1)
    expect(svg).toContain('>Smiling<')
    expect(svg).toContain('>not Smiling<')
    expect(svg).toContain('>unknown<')
    expect(svg).toContain('UMAP &lt;run 1&gt;')
    // Ticks on both axes.
    expect(count(svg, /text-anchor="middle" font-size="12"/g)).toBeGreaterThan(2)
    expect(count(svg, /text-anchor="end" font-size="12"/g)).toBeGreaterThan(2)
  })

  it('puts every point inside the plot area', () => {
    const svg = scatterSvg({
      coords,
      colours: null,
      attribute: null,
      title: 't',
      width: 500,
      height: 400,
    })
    const xs = [...svg.matchAll(/<circle cx="([-\d.]+)" cy="([-\d.]+)" r="[\d.]+"\/>/g)]
    expect(xs).toHaveLength(4)
    for (const m of xs) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(70)
      expect(Number(m[1])).toBeLessThanOrEqual(300)
      expect(Number(m[2])).toBeGreaterThanOrEqual(50)
      expect(Number(m[2])).toBeLessThanOrEqual(340)
    }
  })
})

describe('histogramGridSvg', () => {
  it('draws a panel per dimension: bars, a red N(0,1) curve and the KL', () => {
    const panels = [0, 1, 2].map((dim) => ({
      dim,
      edges: [-2, -1, 0, 1, 2],
      counts: [1, 5, 7, 2],
      normal: [1.5, 4, 4, 1.5],
      kl: dim / 10,
    }))
    const svg = histogramGridSvg(panels, 'μ vs N(0, 1)', 2)
    expect(count(svg, /<path d="M/g)).toBe(3)
    expect(count(svg, new RegExp(`stroke="${POSITIVE_COLOUR}"`, 'g'))).toBe(3)
    expect(count(svg, /<rect x=/g)).toBe(12)
    expect(svg).toContain('z2  KL 0.20')
    // Two columns, two rows of 140 px under a 50 px title.
    expect(svg).toMatch(/width="380" height="340"/)
  })
})

describe('captionRowSvg', () => {
  it('centres one escaped caption under each cell', () => {
    const svg = captionRowSvg(['a&b', 'c'], 100, 30)
    expect(svg).toContain('x="50"')
    expect(svg).toContain('x="150"')
    expect(svg).toContain('a&amp;b')
    expect(svg).toMatch(/width="200" height="30"/)
  })
})
