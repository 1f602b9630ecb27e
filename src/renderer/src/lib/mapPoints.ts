/** The 2-D latent map as the page draws it: decoded arrays, scales, colour batches and hit-testing. */
import type { MapResult } from '@shared/contractLatent'
import { quadtree, type Quadtree } from 'd3-quadtree'

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
 * the map (and the quadtree's data-space radius is round on screen), with a margin around the data.
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

/** A quadtree of point indices on the data coordinates (non-finite points are left out). */
export function buildQuadtree(points: MapPoints): Quadtree<number> {
  const tree = quadtree<number>()
    .x((i) => points.x[i] as number)
    .y((i) => points.y[i] as number)
  const finite: number[] = []
  for (let i = 0; i < points.count; i++) {
    if (Number.isFinite(points.x[i]) && Number.isFinite(points.y[i])) finite.push(i)
  }
  return tree.addAll(finite)
}

/** The point nearest (x, y) in data units, if one lies within `radius`. */
export function nearestPoint(
  tree: Quadtree<number>,
  x: number,
  y: number,
  radius: number,
): number | null {
  return tree.find(x, y, radius) ?? null
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
