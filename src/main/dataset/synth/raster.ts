/**
 * A tiny anti-aliased rasterizer into a float RGB buffer: filled and stroked ellipses, capsules
 * (thick segments), polygons, all through one affine transform. Coverage comes from an approximate
 * signed distance to the edge, which is cheap and smooth enough for 178×218 faces. Pure.
 */

export type Rgb = readonly [number, number, number]

export interface Paint {
  rgb: Rgb
  alpha?: number
}

/** Affine map local → pixel: x' = a·x + c·y + e, y' = b·x + d·y + f. */
export interface Affine {
  a: number
  b: number
  c: number
  d: number
  e: number
  f: number
}

export type Point = readonly [number, number]

export class Raster {
  readonly data: Float32Array
  transform: Affine = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 }

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Float32Array(width * height * 3)
  }

  /** Uniform scale of the transform, for stroke widths. */
  private scale(): number {
    const t = this.transform
    return Math.sqrt(Math.abs(t.a * t.d - t.b * t.c))
  }

  private map(p: Point): [number, number] {
    const t = this.transform
    return [t.a * p[0] + t.c * p[1] + t.e, t.b * p[0] + t.d * p[1] + t.f]
  }

  /** Vertical gradient over the whole picture (backgrounds). */
  fillVerticalGradient(top: Rgb, bottom: Rgb): void {
    const { width, height, data } = this
    for (let y = 0; y < height; y++) {
      const t = y / (height - 1)
      const r = top[0] + (bottom[0] - top[0]) * t
      const g = top[1] + (bottom[1] - top[1]) * t
      const b = top[2] + (bottom[2] - top[2]) * t
      let i = y * width * 3
      for (let x = 0; x < width; x++, i += 3) {
        data[i] = r
        data[i + 1] = g
        data[i + 2] = b
      }
    }
  }

  /** Blends `paint` over pixel offset i with the given coverage in [0, 1]. */
  private blend(i: number, coverage: number, paint: Paint): void {
    const alpha = coverage * (paint.alpha ?? 1)
    if (alpha <= 0) return
    const data = this.data
    const keep = 1 - alpha
    data[i] = data[i]! * keep + paint.rgb[0] * alpha
    data[i + 1] = data[i + 1]! * keep + paint.rgb[1] * alpha
    data[i + 2] = data[i + 2]! * keep + paint.rgb[2] * alpha
  }

  /**
   * Ellipse centred at c with radii rx, ry, rotated by `angle` (radians) in local space. With
   * `stroke` > 0 only a ring of that local width is painted.
   */
  ellipse(c: Point, rx: number, ry: number, paint: Paint, angle = 0, stroke = 0): void {
    const t = this.transform
    const cos = Math.cos(angle)
    const sin = Math.sin(angle)
    // Linear part of local-unit-circle → pixel.
    const l00 = cos * rx
    const l10 = sin * rx
    const l01 = -sin * ry
    const l11 = cos * ry
    const a00 = t.a * l00 + t.c * l10
    const a01 = t.a * l01 + t.c * l11
    const a10 = t.b * l00 + t.d * l10
    const a11 = t.b * l01 + t.d * l11
    const det = a00 * a11 - a01 * a10
    if (Math.abs(det) < 1e-9) return
    const m00 = a11 / det
    const m01 = -a01 / det
    const m10 = -a10 / det
    const m11 = a00 / det
    const [cx, cy] = this.map(c)
    const half = (stroke * this.scale()) / 2
    // Smallest pixel radius of the ellipse: bounds how far |u| = 1 ± δ lies from the edge.
    const e = (a00 + a11) / 2
    const f = (a00 - a11) / 2
    const g = (a10 + a01) / 2
    const h = (a10 - a01) / 2
    const sMin = Math.max(0.25, Math.abs(Math.hypot(e, h) - Math.hypot(f, g)))
    const outerR = 1 + (half + 1) / sMin
    const innerR = stroke > 0 ? 0 : Math.max(0, 1 - 0.75 / sMin)
    // |u|² along a row is a quadratic in px: qa·px² + qb·py·px + qc·py².
    const qa = m00 * m00 + m10 * m10
    const qb = 2 * (m00 * m01 + m10 * m11)
    const qc = m01 * m01 + m11 * m11
    const hy = Math.sqrt(a10 * a10 + a11 * a11) * outerR + 1
    const y0 = Math.max(0, Math.floor(cy - hy))
    const y1 = Math.min(this.height - 1, Math.ceil(cy + hy))
    const alpha = paint.alpha ?? 1
    const data = this.data
    const [pr, pg, pb] = paint.rgb
    const keep = 1 - alpha
    const rr = pr * alpha
    const rg = pg * alpha
    const rb = pb * alpha
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5 - cy
      const b = qb * py
      const cc = qc * py * py
      const discOuter = b * b - 4 * qa * (cc - outerR * outerR)
      if (discOuter <= 0) continue
      const so = Math.sqrt(discOuter)
      const xa = Math.max(0, Math.floor((-b - so) / (2 * qa) + cx - 0.5))
      const xb = Math.min(this.width - 1, Math.ceil((-b + so) / (2 * qa) + cx - 0.5))
      let ia = xb + 1
      let ib = xb
      const discInner = b * b - 4 * qa * (cc - innerR * innerR)
      if (innerR > 0 && discInner > 0) {
        const si = Math.sqrt(discInner)
        ia = Math.max(xa, Math.ceil((-b - si) / (2 * qa) + cx - 0.5))
        ib = Math.min(xb, Math.floor((-b + si) / (2 * qa) + cx - 0.5))
      }
      const row = y * this.width * 3
      for (let x = ia, i = row + ia * 3; x <= ib; x++, i += 3) {
        data[i] = data[i]! * keep + rr
        data[i + 1] = data[i + 1]! * keep + rg
        data[i + 2] = data[i + 2]! * keep + rb
      }
      for (let x = xa; x <= xb; x++) {
        if (x === ia && ib >= ia) {
          x = ib
          continue
        }
        const px = x + 0.5 - cx
        const ux = m00 * px + m01 * py
        const uy = m10 * px + m11 * py
        const r = Math.sqrt(ux * ux + uy * uy) || 1e-6
        // Gradient of |u| in pixel space turns the implicit value into a pixel distance.
        const gx = (m00 * ux + m10 * uy) / r
        const gy = (m01 * ux + m11 * uy) / r
        const dist = (r - 1) / (Math.sqrt(gx * gx + gy * gy) || 1e-6)
        const cov = stroke > 0 ? half + 0.5 - Math.abs(dist) : 0.5 - dist
        if (cov <= 0) continue
        this.blend(row + x * 3, cov >= 1 ? 1 : cov, paint)
      }
    }
  }

  /** A thick segment with round ends; `width` in local units. */
  capsule(p: Point, q: Point, width: number, paint: Paint): void {
    const [ax, ay] = this.map(p)
    const [bx, by] = this.map(q)
    const half = (width * this.scale()) / 2
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - half - 1))
    const x1 = Math.min(this.width - 1, Math.ceil(Math.max(ax, bx) + half + 1))
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - half - 1))
    const y1 = Math.min(this.height - 1, Math.ceil(Math.max(ay, by) + half + 1))
    const dx = bx - ax
    const dy = by - ay
    const len2 = dx * dx + dy * dy || 1e-9
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5 - ay
      let i = (y * this.width + x0) * 3
      for (let x = x0; x <= x1; x++, i += 3) {
        const px = x + 0.5 - ax
        let s = (px * dx + py * dy) / len2
        s = s < 0 ? 0 : s > 1 ? 1 : s
        const ex = px - s * dx
        const ey = py - s * dy
        const cov = half + 0.5 - Math.sqrt(ex * ex + ey * ey)
        if (cov <= 0) continue
        this.blend(i, cov >= 1 ? 1 : cov, paint)
      }
    }
  }

  /** A stroked polyline (segments drawn as capsules). */
  polyline(points: readonly Point[], width: number, paint: Paint): void {
    for (let k = 1; k < points.length; k++) {
      this.capsule(points[k - 1]!, points[k]!, width, paint)
    }
  }

  /**
   * A filled polygon (even–odd rule). Coverage is measured on four sub-scanlines per pixel row,
   * with fractional coverage at span ends: cheap anti-aliasing in both directions.
   */
  polygon(points: readonly Point[], paint: Paint): void {
    const n = points.length
    if (n < 3) return
    const xs = new Float64Array(n)
    const ys = new Float64Array(n)
    let minX = Infinity
    let maxX = -Infinity
    let minY = Infinity
    let maxY = -Infinity
    for (let k = 0; k < n; k++) {
      const [x, y] = this.map(points[k]!)
      xs[k] = x
      ys[k] = y
      minX = Math.min(minX, x)
      maxX = Math.max(maxX, x)
      minY = Math.min(minY, y)
      maxY = Math.max(maxY, y)
    }
    const x0 = Math.max(0, Math.floor(minX))
    const x1 = Math.min(this.width - 1, Math.ceil(maxX))
    const y0 = Math.max(0, Math.floor(minY))
    const y1 = Math.min(this.height - 1, Math.ceil(maxY))
    if (x1 < x0 || y1 < y0) return
    const span = x1 - x0 + 1
    if (scratchAcc.length < span + 1) scratchAcc = new Float32Array(span + 1)
    if (scratchCross.length < n) scratchCross = new Float64Array(n)
    const acc = scratchAcc
    const cross = scratchCross
    const data = this.data
    const alpha = paint.alpha ?? 1
    const [pr, pg, pb] = paint.rgb
    for (let y = y0; y <= y1; y++) {
      acc.fill(0, 0, span + 1)
      let any = false
      for (let sub = 0; sub < SUBROWS; sub++) {
        const py = y + (sub + 0.5) / SUBROWS
        let m = 0
        for (let k = 0, j = n - 1; k < n; j = k++) {
          const yk = ys[k]!
          const yj = ys[j]!
          if (yk > py !== yj > py) cross[m++] = xs[k]! + ((xs[j]! - xs[k]!) * (py - yk)) / (yj - yk)
        }
        if (m < 2) continue
        // Insertion sort: a row crosses only a handful of edges.
        for (let q = 1; q < m; q++) {
          const v = cross[q]!
          let r = q - 1
          while (r >= 0 && cross[r]! > v) {
            cross[r + 1] = cross[r]!
            r--
          }
          cross[r + 1] = v
        }
        for (let q = 0; q + 1 < m; q += 2) {
          addSpan(acc, cross[q]! - x0, cross[q + 1]! - x0, span, 1 / SUBROWS)
          any = true
        }
      }
      if (!any) continue
      let i = (y * this.width + x0) * 3
      for (let k = 0; k < span; k++, i += 3) {
        const cov = acc[k]!
        if (cov <= 0.001) continue
        const a = cov >= 1 ? alpha : cov * alpha
        const keep = 1 - a
        data[i] = data[i]! * keep + pr * a
        data[i + 1] = data[i + 1]! * keep + pg * a
        data[i + 2] = data[i + 2]! * keep + pb * a
      }
    }
  }

  /**
   * Final pixels: multiplies by a lighting field `c + gx·x + gy·y`, a per-channel gain, adds
   * grain from a fixed table at an offset chosen by `grainSeed`, and rounds into 8-bit RGB.
   */
  toRgb8(
    light: readonly [number, number, number],
    gain: Rgb,
    grain: number,
    grainSeed: number,
  ): Uint8Array {
    const { width, height, data } = this
    // A clamped array rounds and clamps on store, faster than doing it by hand.
    const out = new Uint8ClampedArray(width * height * 3)
    const [l0, lx, ly] = light
    const [g0, g1, g2] = gain
    let n = grainSeed & GRAIN_MASK
    let i = 0
    for (let y = 0; y < height; y++) {
      const fy = l0 + ly * y
      for (let x = 0; x < width; x++, i += 3) {
        const f = fy + lx * x
        const noise = GRAIN[n]! * grain
        n = (n + 1) & GRAIN_MASK
        out[i] = data[i]! * f * g0 + noise
        out[i + 1] = data[i + 1]! * f * g1 + noise
        out[i + 2] = data[i + 2]! * f * g2 + noise
      }
    }
    return new Uint8Array(out.buffer)
  }
}

const SUBROWS = 4
// Scratch space reused by every polygon: one face draws dozens.
let scratchAcc = new Float32Array(256)
let scratchCross = new Float64Array(64)

/** Adds `weight` × the covered fraction of each pixel between a and b (pixel units from 0). */
function addSpan(acc: Float32Array, a: number, b: number, len: number, weight: number): void {
  if (b <= 0 || a >= len) return
  if (a < 0) a = 0
  if (b > len) b = len
  const ia = Math.floor(a)
  const ib = Math.floor(b)
  if (ia === ib) {
    acc[ia]! += (b - a) * weight
    return
  }
  acc[ia]! += (ia + 1 - a) * weight
  for (let k = ia + 1; k < ib; k++) acc[k]! += weight
  if (ib < len) acc[ib]! += (b - ib) * weight
}

const GRAIN_MASK = 8191
/** Uniform noise in [-0.5, 0.5) from a fixed xorshift sequence (same on every run). */
const GRAIN = (() => {
  const table = new Float32Array(GRAIN_MASK + 1)
  let s = 0x2545f491
  for (let k = 0; k < table.length; k++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    table[k] = s / 4294967296
  }
  return table
})()

/** Points along an ellipse arc from angle a0 to a1 (radians, y down), for polygons and strokes. */
export function arcPoints(
  c: Point,
  rx: number,
  ry: number,
  a0: number,
  a1: number,
  steps: number,
): Point[] {
  const out: Point[] = []
  for (let k = 0; k <= steps; k++) {
    const a = a0 + ((a1 - a0) * k) / steps
    out.push([c[0] + rx * Math.cos(a), c[1] + ry * Math.sin(a)])
  }
  return out
}

/** Points along a quadratic Bézier curve p0 → p2 pulled towards p1. */
export function quadPoints(p0: Point, p1: Point, p2: Point, steps: number): Point[] {
  const out: Point[] = []
  for (let k = 0; k <= steps; k++) {
    const t = k / steps
    const u = 1 - t
    out.push([
      u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
      u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1],
    ])
  }
  return out
}
