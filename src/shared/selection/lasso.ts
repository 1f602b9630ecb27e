/**
 * Selecting map points by lasso or box: pure point-in-polygon over the projected coordinates in
 * typed arrays, so the page answers a selection of 200k points within a frame or two and the CLI
 * selects by box with the same code.
 */

/** How a new selection combines with the current one: shift adds, alt removes, else replaces. */
export type SelectMode = 'replace' | 'add' | 'remove'

export function selectModeFor(keys: { shiftKey: boolean; altKey: boolean }): SelectMode {
  if (keys.altKey) return 'remove'
  if (keys.shiftKey) return 'add'
  return 'replace'
}

/** A closed polygon as flat vertex coordinates x0, y0, x1, y1, … (at least three vertices). */
export type Polygon = ArrayLike<number>

export function boxPolygon(x0: number, y0: number, x1: number, y1: number): Float64Array {
  const [l, r] = x0 <= x1 ? [x0, x1] : [x1, x0]
  const [b, t] = y0 <= y1 ? [y0, y1] : [y1, y0]
  return Float64Array.of(l, b, r, b, r, t, l, t)
}

/** Indices of the points inside the axis-aligned box (edges included); non-finite points never. */
export function pointsInBox(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): Uint32Array {
  const l = Math.min(x0, x1)
  const r = Math.max(x0, x1)
  const b = Math.min(y0, y1)
  const t = Math.max(y0, y1)
  const n = Math.min(xs.length, ys.length)
  const out = new Uint32Array(n)
  let k = 0
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number
    const y = ys[i] as number
    if (x >= l && x <= r && y >= b && y <= t) out[k++] = i
  }
  return out.slice(0, k)
}

/**
 * Indices of the points inside the polygon by the even–odd rule (crossings of a ray to +x). Points
 * outside the polygon's bounding box are rejected with four comparisons; for the others only the
 * edges of their horizontal band are tested (an edge is filed under every band its y-range
 * touches, and only an edge spanning a point's y can cross its ray), so a hand-drawn lasso of a
 * few hundred vertices costs a few edge tests per point, not hundreds.
 */
export function pointsInPolygon(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  polygon: Polygon,
): Uint32Array {
  const v = Math.floor(polygon.length / 2)
  if (v < 3) return new Uint32Array(0)
  const px = new Float64Array(v)
  const py = new Float64Array(v)
  let l = Infinity
  let r = -Infinity
  let b = Infinity
  let t = -Infinity
  for (let j = 0; j < v; j++) {
    const x = polygon[2 * j] as number
    const y = polygon[2 * j + 1] as number
    if (!Number.isFinite(x) || !Number.isFinite(y))
      throw new Error(`polygon vertex ${j} is not finite`)
    px[j] = x
    py[j] = y
    if (x < l) l = x
    if (x > r) r = x
    if (y < b) b = y
    if (y > t) t = y
  }
  const bands = Math.max(1, Math.min(1024, v * 2))
  const perBand = bands / (t - b || 1)
  const bandOf = (y: number): number =>
    Math.min(bands - 1, Math.max(0, Math.floor((y - b) * perBand)))
  // Edges by band, in compressed rows: edge j joins vertex j and the one before it.
  const start = new Uint32Array(bands + 1)
  for (let j = 0, p = v - 1; j < v; p = j++) {
    const lo = bandOf(Math.min(py[j] as number, py[p] as number))
    const hi = bandOf(Math.max(py[j] as number, py[p] as number))
    for (let k = lo; k <= hi; k++) start[k + 1] = (start[k + 1] as number) + 1
  }
  for (let k = 0; k < bands; k++) start[k + 1] = (start[k + 1] as number) + (start[k] as number)
  const edges = new Uint32Array(start[bands] as number)
  const fill = start.slice(0, bands)
  for (let j = 0, p = v - 1; j < v; p = j++) {
    const lo = bandOf(Math.min(py[j] as number, py[p] as number))
    const hi = bandOf(Math.max(py[j] as number, py[p] as number))
    for (let k = lo; k <= hi; k++) {
      const at = fill[k] as number
      edges[at] = j
      fill[k] = at + 1
    }
  }
  const n = Math.min(xs.length, ys.length)
  const out = new Uint32Array(n)
  let count = 0
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number
    const y = ys[i] as number
    if (!(x >= l && x <= r && y >= b && y <= t)) continue
    // bandOf, inlined: this loop runs for every point in the box.
    let band = Math.floor((y - b) * perBand)
    if (band >= bands) band = bands - 1
    let inside = false
    for (let e = start[band] as number; e < (start[band + 1] as number); e++) {
      const j = edges[e] as number
      const p = j === 0 ? v - 1 : j - 1
      const yj = py[j] as number
      const yp = py[p] as number
      if (yj > y !== yp > y) {
        const xj = px[j] as number
        const cross = xj + ((y - yj) * ((px[p] as number) - xj)) / (yp - yj)
        if (x < cross) inside = !inside
      }
    }
    if (inside) out[count++] = i
  }
  return out.slice(0, count)
}

/** A new membership mask (1 = selected) from the current one and a hit list, by mode. */
export function combineSelection(
  current: Uint8Array,
  hits: ArrayLike<number>,
  mode: SelectMode,
): Uint8Array {
  const next = mode === 'replace' ? new Uint8Array(current.length) : current.slice()
  const value = mode === 'remove' ? 0 : 1
  for (let k = 0; k < hits.length; k++) {
    const i = hits[k] as number
    if (i >= 0 && i < next.length) next[i] = value
  }
  return next
}

/** The selected indices of a mask, ascending. */
export function maskIndices(mask: Uint8Array): Uint32Array {
  let count = 0
  for (let i = 0; i < mask.length; i++) if (mask[i]) count++
  const out = new Uint32Array(count)
  let k = 0
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[k++] = i
  return out
}

/** The image ids of the selected points, ascending. */
export function selectedImageIds(mask: Uint8Array, imageIds: Int32Array): number[] {
  const out: number[] = []
  const n = Math.min(mask.length, imageIds.length)
  for (let i = 0; i < n; i++) if (mask[i]) out.push(imageIds[i] as number)
  return out.sort((a, b) => a - b)
}

/** A mask over another map's points holding the same faces (by image id). */
export function maskForIds(imageIds: Int32Array, selected: readonly number[]): Uint8Array {
  const wanted = new Set(selected)
  const mask = new Uint8Array(imageIds.length)
  if (wanted.size === 0) return mask
  for (let i = 0; i < imageIds.length; i++) if (wanted.has(imageIds[i] as number)) mask[i] = 1
  return mask
}
