/**
 * The seed notebook's figures as SVG strings (pure: no I/O), rasterised elsewhere with sharp: a
 * scatter map coloured by an attribute, a grid of per-dimension histograms against N(0, 1), and the
 * caption row under a strip of faces.
 */
import { line, scaleLinear } from 'd3'

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"'
export const POSITIVE_COLOUR = '#d62728'
export const NEGATIVE_COLOUR = '#1f77b4'
export const UNKNOWN_COLOUR = '#9a9a9a'

export interface ScatterOptions {
  /** n×2 */
  coords: Float32Array
  /** 1 / −1 / 0 per point, or null for one colour. */
  colours: Int8Array | null
  attribute: string | null
  title: string
  xLabel?: string
  yLabel?: string
  width?: number
  height?: number
}

function extent(values: Float32Array, offset: number): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (let i = offset; i < values.length; i += 2) {
    const v = values[i] as number
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  if (!(hi > lo)) return [lo - 1, lo + 1]
  const pad = (hi - lo) * 0.04
  return [lo - pad, hi + pad]
}

function axisSvg(
  scale: ReturnType<typeof scaleLinear<number, number>>,
  orient: 'bottom' | 'left',
  at: number,
  from: number,
  to: number,
  fontSize = 12,
): string {
  const ticks = scale.ticks(6)
  const format = scale.tickFormat(6)
  const bottom = orient === 'bottom'
  // Written for a bottom axis; a left axis swaps x and y.
  const line = (along0: number, across0: number, along1: number, across1: number): string =>
    bottom
      ? `<line x1="${along0}" y1="${across0}" x2="${along1}" y2="${across1}" stroke="#333"/>`
      : `<line x1="${across0}" y1="${along0}" x2="${across1}" y2="${along1}" stroke="#333"/>`
  const parts = [line(from, at, to, at)]
  for (const t of ticks) {
    const p = scale(t)
    parts.push(bottom ? line(p, at, p, at + 5) : line(p, at - 5, p, at))
    const [x, y, anchor] = bottom
      ? [p, at + 7 + fontSize, 'middle']
      : [at - 8, p + fontSize / 3, 'end']
    parts.push(
      `<text x="${x}" y="${y}" text-anchor="${anchor}" font-size="${fontSize}" ${FONT}>${escapeXml(format(t))}</text>`,
    )
  }
  return parts.join('')
}

/** Scatter of a 2-D map, points coloured by an attribute, with axes, a legend and a title. */
export function scatterSvg(options: ScatterOptions): string {
  const width = options.width ?? 900
  const height = options.height ?? 760
  const margin = { top: 50, right: 200, bottom: 60, left: 70 }
  const { coords, colours } = options
  const n = coords.length / 2
  const x = scaleLinear()
    .domain(extent(coords, 0))
    .range([margin.left, width - margin.right])
    .nice()
  const y = scaleLinear()
    .domain(extent(coords, 1))
    .range([height - margin.bottom, margin.top])
    .nice()
  const radius = n > 5000 ? 1.6 : n > 1000 ? 2.4 : 3.5
  const opacity = n > 5000 ? 0.55 : 0.8
  const colourOf = (c: number): string =>
    c === 1 ? POSITIVE_COLOUR : c === -1 ? NEGATIVE_COLOUR : UNKNOWN_COLOUR
  // Draw unknowns first, then negatives, then positives, so the rarer class stays visible.
  const groups: Record<string, string[]> = { u: [], n: [], p: [] }
  for (let i = 0; i < n; i++) {
    const c = colours ? (colours[i] as number) : -1
    const key = c === 1 ? 'p' : c === -1 ? 'n' : 'u'
    ;(groups[key] as string[]).push(
      `<circle cx="${x(coords[i * 2] as number).toFixed(1)}" cy="${y(coords[i * 2 + 1] as number).toFixed(1)}" r="${radius}"/>`,
    )
  }
  const layers = (['u', 'n', 'p'] as const)
    .map((key) => {
      const fill = colourOf(key === 'p' ? 1 : key === 'n' ? -1 : 0)
      return `<g fill="${colours ? fill : NEGATIVE_COLOUR}" fill-opacity="${opacity}">${(groups[key] as string[]).join('')}</g>`
    })
    .join('')
  const legendItems: { label: string; colour: string }[] =
    colours && options.attribute
      ? [
          { label: options.attribute, colour: POSITIVE_COLOUR },
          { label: `not ${options.attribute}`, colour: NEGATIVE_COLOUR },
          ...(colours.some((c) => c === 0) ? [{ label: 'unknown', colour: UNKNOWN_COLOUR }] : []),
        ]
      : [{ label: 'face', colour: NEGATIVE_COLOUR }]
  const lx = width - margin.right + 24
  const legend = legendItems
    .map(
      (item, i) =>
        `<circle cx="${lx}" cy="${margin.top + 20 + i * 24}" r="6" fill="${item.colour}"/>` +
        `<text x="${lx + 14}" y="${margin.top + 25 + i * 24}" font-size="14" ${FONT}>${escapeXml(item.label)}</text>`,
    )
    .join('')
  const bottom = height - margin.bottom
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${(margin.left + width - margin.right) / 2}" y="30" text-anchor="middle" font-size="18" font-weight="bold" ${FONT}>${escapeXml(options.title)}</text>`,
    layers,
    axisSvg(x, 'bottom', bottom, margin.left, width - margin.right),
    axisSvg(y, 'left', margin.left, margin.top, bottom),
    `<text x="${(margin.left + width - margin.right) / 2}" y="${height - 12}" text-anchor="middle" font-size="14" ${FONT}>${escapeXml(options.xLabel ?? 'component 1')}</text>`,
    `<text transform="translate(18 ${(margin.top + bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="14" ${FONT}>${escapeXml(options.yLabel ?? 'component 2')}</text>`,
    `<text x="${lx - 10}" y="${margin.top}" font-size="14" font-weight="bold" ${FONT}>${escapeXml(options.attribute ?? 'legend')}</text>`,
    legend,
    `</svg>`,
  ].join('')
}

export interface HistogramPanel {
  dim: number
  edges: readonly number[]
  counts: readonly number[]
  /** Expected counts under N(0, 1) per bin. */
  normal: readonly number[]
  kl?: number
}

/** Small histograms of μ per dimension in a grid, each with the N(0, 1) expectation in red. */
export function histogramGridSvg(
  panels: readonly HistogramPanel[],
  title: string,
  columns = 6,
): string {
  const cellW = 190
  const cellH = 140
  const top = 50
  const rows = Math.ceil(panels.length / columns)
  const width = columns * cellW
  const height = top + rows * cellH + 10
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="28" text-anchor="middle" font-size="18" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`,
  ]
  panels.forEach((panel, i) => {
    const ox = (i % columns) * cellW
    const oy = top + Math.floor(i / columns) * cellH
    const left = ox + 14
    const right = ox + cellW - 10
    const plotTop = oy + 24
    const base = oy + cellH - 26
    const lo = panel.edges[0] as number
    const hi = panel.edges[panel.edges.length - 1] as number
    const peak = Math.max(1, ...panel.counts, ...panel.normal)
    const x = scaleLinear().domain([lo, hi]).range([left, right])
    const y = scaleLinear().domain([0, peak]).range([base, plotTop])
    const bars = panel.counts
      .map((c, b) => {
        const x0 = x(panel.edges[b] as number)
        const x1 = x(panel.edges[b + 1] as number)
        const yc = y(c)
        return `<rect x="${x0.toFixed(1)}" y="${yc.toFixed(1)}" width="${Math.max(0.5, x1 - x0 - 0.5).toFixed(1)}" height="${(base - yc).toFixed(1)}"/>`
      })
      .join('')
    const centres = panel.normal.map(
      (_, b) => ((panel.edges[b] as number) + (panel.edges[b + 1] as number)) / 2,
    )
    const curve = line<number>()
      .x((_, b) => x(centres[b] as number))
      .y((v) => y(v))(Array.from(panel.normal))
    const label = `z${panel.dim}${panel.kl !== undefined ? `  KL ${panel.kl.toFixed(2)}` : ''}`
    parts.push(
      `<text x="${ox + cellW / 2}" y="${oy + 16}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(label)}</text>`,
      `<g fill="#4c72b0" fill-opacity="0.85">${bars}</g>`,
      `<path d="${curve ?? ''}" fill="none" stroke="${POSITIVE_COLOUR}" stroke-width="1.6"/>`,
      `<line x1="${left}" y1="${base}" x2="${right}" y2="${base}" stroke="#333"/>`,
      ...[lo, 0, hi].map(
        (t) =>
          `<text x="${x(t)}" y="${base + 14}" text-anchor="middle" font-size="10" ${FONT}>${t}</text>`,
      ),
    )
  })
  parts.push('</svg>')
  return parts.join('')
}

/** A white band of captions, one centred under each cell of a row of faces. */
export function captionRowSvg(labels: readonly string[], cell: number, height: number): string {
  const width = labels.length * cell
  const fontSize = Math.max(10, Math.min(16, Math.floor(cell / 6)))
  const texts = labels
    .map(
      (label, i) =>
        `<text x="${i * cell + cell / 2}" y="${height / 2 + fontSize / 3}" text-anchor="middle" font-size="${fontSize}" ${FONT}>${escapeXml(label)}</text>`,
    )
    .join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="white"/>${texts}</svg>`
}

/** Strength captions like the seed's: −4, −3, … 4 (at most two decimals, true minus sign). */
export function strengthLabel(value: number): string {
  const rounded = Math.round(value * 100) / 100
  const text = Math.abs(rounded).toString()
  return rounded < 0 ? `−${text}` : rounded > 0 ? `+${text}` : '0'
}

/** Evenly spaced values from `from` to `to` inclusive. */
export function strengths(from: number, to: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`steps ${steps} must be at least 2`)
  return Array.from({ length: steps }, (_, i) => from + ((to - from) * i) / (steps - 1))
}
