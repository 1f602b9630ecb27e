/** The 2-D latent map as the page draws it: decoded arrays, scales, colour batches and hit-testing. */
import type { MapResult } from '@shared/contractLatent'

export interface MapPoints {
  count: number
  x: Float32Array
  y: Float32Array
  imageIds: Int32Array
  /** 1, −1, or 0 (missing) per point for the colour attribute; null when not coloured. */
  colors: Int8Array | null
}

/** Base64 to bytes in a fresh, aligned buffer (typed-array views need that). */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** Unpacks `latent.mapResult`; a mismatch between its arrays is a host bug worth naming. */
export function decodeMapResult(result: MapResult): MapPoints {
  const coords = decodeBase64(result.coords)
  const ids = decodeBase64(result.imageIds)
  const n = result.points
  if (coords.byteLength !== n * 8) {
    throw new Error(
      `map result: coords hold ${coords.byteLength} bytes, expected ${n * 8} (${n} points)`,
    )
  }
  if (ids.byteLength !== n * 4) {
    throw new Error(`map result: imageIds hold ${ids.byteLength} bytes, expected ${n * 4}`)
  }
  const xy = new Float32Array(coords.buffer, 0, n * 2)
  const x = new Float32Array(n)
  const y = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    x[i] = xy[2 * i] as number
    y[i] = xy[2 * i + 1] as number
  }
  let colors: Int8Array | null = null
  if (result.colors !== null) {
    const c = decodeBase64(result.colors)
    if (c.byteLength !== n) {
      throw new Error(`map result: colors hold ${c.byteLength} bytes, expected ${n}`)
    }
    colors = new Int8Array(c.buffer, 0, n)
  }
  return { count: n, x, y, imageIds: new Int32Array(ids.buffer, 0, n), colors }
}

export interface Extent {
  x: [number, number]
  y: [number, number]
}

/** The finite bounds of the points; a unit box around 0 when there are none. */
export function pointsExtent(points: MapPoints): Extent {
  let x0 = Infinity
  let x1 = -Infinity
  let y0 = Infinity
  let y1 = -Infinity
  for (let i = 0; i < points.count; i++) {
    const x = points.x[i] as number
    const y = points.y[i] as number
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue
    if (x < x0) x0 = x
    if (x > x1) x1 = x
    if (y < y0) y0 = y
    if (y > y1) y1 = y
  }
  if (x0 > x1) return { x: [-1, 1], y: [-1, 1] }
  return { x: [x0, x1], y: [y0, y1] }
}

/**
 * Domains that give both axes the same units per pixel, so distances on screen are distances in
 * the map (and the hover grid's data-space radius is round on screen), with a margin around the data.
 */
export function equalAspectDomains(
  extent: Extent,
  width: number,
  height: number,
  pad = 0.05,
): Extent {
  const w = Math.max(1, width)
  const h = Math.max(1, height)
  const spanX = extent.x[1] - extent.x[0] || 1
  const spanY = extent.y[1] - extent.y[0] || 1
  const unitsPerPx = Math.max(spanX / w, spanY / h) * (1 + 2 * pad)
  const cx = (extent.x[0] + extent.x[1]) / 2
  const cy = (extent.y[0] + extent.y[1]) / 2
  return {
    x: [cx - (unitsPerPx * w) / 2, cx + (unitsPerPx * w) / 2],
    y: [cy - (unitsPerPx * h) / 2, cy + (unitsPerPx * h) / 2],
  }
}

export type ColorClass = 'positive' | 'negative' | 'missing' | 'all'

export interface ColorBatch {
  key: ColorClass
  indices: Uint32Array
}

/**
 * Point indices grouped by colour, so the canvas sets each fill style once and fills one path per
 * batch. Missing values go first so the labelled points are drawn over them.
 */
export function colorBatches(points: MapPoints): ColorBatch[] {
  const all = new Uint32Array(points.count)
  for (let i = 0; i < points.count; i++) all[i] = i
  if (!points.colors) return [{ key: 'all', indices: all }]
  const counts = { positive: 0, negative: 0, missing: 0 }
  const keyOf = (v: number): 'positive' | 'negative' | 'missing' =>
    v > 0 ? 'positive' : v < 0 ? 'negative' : 'missing'
  for (let i = 0; i < points.count; i++) counts[keyOf(points.colors[i] as number)]++
  const out = {
    positive: new Uint32Array(counts.positive),
    negative: new Uint32Array(counts.negative),
    missing: new Uint32Array(counts.missing),
  }
  const fill = { positive: 0, negative: 0, missing: 0 }
  for (let i = 0; i < points.count; i++) {
    const key = keyOf(points.colors[i] as number)
    out[key][fill[key]++] = i
  }
  return (['missing', 'negative', 'positive'] as const)
    .map((key) => ({ key, indices: out[key] }))
    .filter((b) => b.indices.length > 0)
}

/**
 * A uniform grid over the points for hover hit-testing, in typed arrays: built by a counting sort in
 * a few milliseconds for 200k points (a d3 quadtree took half a second, long enough to stall a frame).
 */
export interface PointGrid {
  x0: number
  y0: number
  cell: number
  cols: number
  rows: number
  /** Points of cell c are items[start[c] … start[c + 1]). */
  start: Uint32Array
  items: Uint32Array
  xs: Float32Array
  ys: Float32Array
  /** How many points it holds (the finite ones). */
  size: number
}

/** The grid of the finite points, about two per cell. */
export function buildPointGrid(points: MapPoints): PointGrid {
  const { x: xs, y: ys, count } = points
  const extent = pointsExtent(points)
  const span = Math.max(extent.x[1] - extent.x[0], extent.y[1] - extent.y[0]) || 1
  const side = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(count / 2))))
  const cell = span / side
  const cols = Math.max(1, Math.ceil((extent.x[1] - extent.x[0]) / cell) + 1)
  const rows = Math.max(1, Math.ceil((extent.y[1] - extent.y[0]) / cell) + 1)
  const cellOf = new Int32Array(count).fill(-1)
  const start = new Uint32Array(cols * rows + 1)
  let size = 0
  for (let i = 0; i < count; i++) {
    const x = xs[i] as number
    const y = ys[i] as number
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue
    const cx = Math.min(cols - 1, Math.floor((x - extent.x[0]) / cell))
    const cy = Math.min(rows - 1, Math.floor((y - extent.y[0]) / cell))
    const c = cy * cols + cx
    cellOf[i] = c
    start[c + 1] = (start[c + 1] as number) + 1
    size++
  }
  for (let c = 0; c < cols * rows; c++)
    start[c + 1] = (start[c + 1] as number) + (start[c] as number)
  const fill = start.slice(0, cols * rows)
  const items = new Uint32Array(size)
  for (let i = 0; i < count; i++) {
    const c = cellOf[i] as number
    if (c < 0) continue
    items[fill[c] as number] = i
    fill[c] = (fill[c] as number) + 1
  }
  return { x0: extent.x[0], y0: extent.y[0], cell, cols, rows, start, items, xs, ys, size }
}

/** The point nearest (x, y) in data units, if one lies within `radius`. */
export function nearestPoint(grid: PointGrid, x: number, y: number, radius: number): number | null {
  if (!(radius >= 0) || !Number.isFinite(x) || !Number.isFinite(y)) return null
  const { x0, y0, cell, cols, rows, start, items, xs, ys } = grid
  const cx0 = Math.max(0, Math.floor((x - radius - x0) / cell))
  const cx1 = Math.min(cols - 1, Math.floor((x + radius - x0) / cell))
  const cy0 = Math.max(0, Math.floor((y - radius - y0) / cell))
  const cy1 = Math.min(rows - 1, Math.floor((y + radius - y0) / cell))
  let best: number | null = null
  let bestD = radius * radius
  for (let cy = cy0; cy <= cy1; cy++) {
    for (let cx = cx0; cx <= cx1; cx++) {
      const c = cy * cols + cx
      for (let k = start[c] as number; k < (start[c + 1] as number); k++) {
        const i = items[k] as number
        const dx = (xs[i] as number) - x
        const dy = (ys[i] as number) - y
        const d = dx * dx + dy * dy
        if (d <= bestD) {
          bestD = d
          best = i
        }
      }
    }
  }
  return best
}

/** Every `stride`-th index, so density estimates stay fast on 200k points. */
export function strideSample(count: number, max: number): number[] {
  const stride = Math.max(1, Math.ceil(count / Math.max(1, max)))
  const out: number[] = []
  for (let i = 0; i < count; i += stride) out.push(i)
  return out
}

/** Pixel radius of a point: larger when there are few points or the view is zoomed in. */
export function pointRadius(count: number, k: number): number {
  const base = count > 100_000 ? 0.9 : count > 20_000 ? 1.3 : count > 2000 ? 2 : 3
  return Math.min(8, base * Math.sqrt(Math.max(1, k)))
}
