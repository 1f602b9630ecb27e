/** Shapes for the Explore screen's statistics: histogram small multiples and the KL bar chart. */

export interface Histogram {
  dim: number
  edges: number[]
  counts: number[]
  normal: number[]
}

export interface HistogramShape {
  /** Bars as [x0, x1, height] in the unit box (x in 0…1, height in 0…1). */
  bars: [number, number, number][]
  /** The N(0, 1) curve through the bin centres, in the same box. */
  curve: [number, number][]
}

/** One histogram scaled into a unit box, the bars and the normal curve sharing one y scale. */
export function histogramShape(h: Histogram): HistogramShape {
  const lo = h.edges[0] ?? 0
  const hi = h.edges[h.edges.length - 1] ?? 1
  const span = hi - lo || 1
  const top = Math.max(1e-9, ...h.counts, ...h.normal)
  const bars: [number, number, number][] = h.counts.map((c, i) => [
    ((h.edges[i] ?? lo) - lo) / span,
    ((h.edges[i + 1] ?? hi) - lo) / span,
    c / top,
  ])
  const curve: [number, number][] = h.normal.map((n, i) => {
    const centre = ((h.edges[i] ?? lo) + (h.edges[i + 1] ?? hi)) / 2
    return [(centre - lo) / span, n / top]
  })
  return { bars, curve }
}

/** Dimensions ordered for the KL chart: by dimension, or by KL, largest first. */
export function klOrder(kl: readonly number[], sorted: boolean): number[] {
  const dims = kl.map((_, i) => i)
  if (sorted) dims.sort((a, b) => (kl[b] as number) - (kl[a] as number) || a - b)
  return dims
}
