/**
 * Barnes–Hut quadtree for t-SNE's repulsive forces in 2-D. The tree lives in flat typed arrays that
 * are reused between iterations (it is rebuilt from scratch every iteration, as points move), so a
 * layout of thousands of points allocates nothing per iteration once the arrays have grown.
 */

/** Deeper cells are merged into one multi-point leaf; stops near-duplicate points splitting forever. */
const MAX_DEPTH = 40
const NO_POINT = -1
const MANY_POINTS = -2

export class QuadTree {
  private capacity = 0
  private size = 0
  private centreX = new Float64Array(0)
  private centreY = new Float64Array(0)
  private halfWidth = new Float64Array(0)
  private massX = new Float64Array(0)
  private massY = new Float64Array(0)
  private count = new Int32Array(0)
  /** Index of the first of four consecutive children; 0 (the root) means a leaf. */
  private firstChild = new Int32Array(0)
  /** The point in a one-point leaf, NO_POINT for an empty or internal cell, MANY_POINTS when merged. */
  private point = new Int32Array(0)
  /** Per cell, for the force pass: centre of mass x, y, squared half-width, point count (stride 4). */
  private nodes = new Float64Array(0)
  private readonly stack = new Int32Array(4 * (MAX_DEPTH + 2))

  /** Rebuilds the tree over the n points of y (n×2, row-major). */
  build(y: Float64Array, n: number): void {
    let minX = Infinity
    let minY = Infinity
    let maxX = -Infinity
    let maxY = -Infinity
    for (let i = 0; i < n; i++) {
      const x = y[2 * i] as number
      const v = y[2 * i + 1] as number
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (v < minY) minY = v
      if (v > maxY) maxY = v
    }
    this.grow(Math.max(64, 2 * n))
    this.size = 1
    const half = Math.max(maxX - minX, maxY - minY) / 2
    this.initCell(0, (minX + maxX) / 2, (minY + maxY) / 2, half * (1 + 1e-6) + 1e-12)
    for (let i = 0; i < n; i++) {
      // One insertion adds at most 4 cells per level, so no reallocation happens inside insert.
      if (this.size + 4 * (MAX_DEPTH + 1) > this.capacity) this.grow(2 * this.capacity)
      this.insert(y, i)
    }
    if (this.nodes.length < 4 * this.capacity) this.nodes = new Float64Array(4 * this.capacity)
    const { count, massX, massY, halfWidth, nodes } = this
    for (let c = 0; c < this.size; c++) {
      const k = count[c] as number
      const o = 4 * c
      nodes[o] = k > 0 ? (massX[c] as number) / k : 0
      nodes[o + 1] = k > 0 ? (massY[c] as number) / k : 0
      nodes[o + 2] = (halfWidth[c] as number) ** 2
      nodes[o + 3] = k
    }
  }

  /**
   * Adds point i's unnormalised repulsion Σ_j q_ij²·(y_i − y_j), q_ij = 1/(1 + |y_i − y_j|²), into
   * force[2i], force[2i+1], treating a cell as one mass when its half-width < θ·distance (bhtsne's criterion). Returns
   * Σ_j q_ij, point i's share of the normalisation Z.
   */
  repulse(y: Float64Array, i: number, theta: number, force: Float64Array): number {
    const { nodes, firstChild, point, stack } = this
    const xi = y[2 * i] as number
    const yi = y[2 * i + 1] as number
    const theta2 = theta * theta
    let sumQ = 0
    let fx = 0
    let fy = 0
    let top = 0
    stack[top++] = 0
    while (top > 0) {
      const c = stack[--top] as number
      const o = 4 * c
      const dx = xi - (nodes[o] as number)
      const dy = yi - (nodes[o + 1] as number)
      const d2 = dx * dx + dy * dy
      const first = firstChild[c] as number
      let mass = nodes[o + 3] as number
      if (first !== 0) {
        if ((nodes[o + 2] as number) >= theta2 * d2) {
          // Only non-empty children go on the stack; many quadrants of a split cell are empty.
          for (let ch = first; ch < first + 4; ch++)
            if ((nodes[4 * ch + 3] as number) > 0) stack[top++] = ch
          continue
        }
      } else {
        const pt = point[c] as number
        if (pt === i) continue
        // A merged leaf holding point i itself sits at distance 0 and must not repel it.
        if (pt === MANY_POINTS && d2 === 0) mass -= 1
      }
      const q = 1 / (1 + d2)
      const mq = mass * q
      sumQ += mq
      const f = mq * q
      fx += f * dx
      fy += f * dy
    }
    force[2 * i] = (force[2 * i] as number) + fx
    force[2 * i + 1] = (force[2 * i + 1] as number) + fy
    return sumQ
  }

  private insert(y: Float64Array, p: number): void {
    const { count, massX, massY, firstChild, point, centreX, centreY } = this
    const x = y[2 * p] as number
    const v = y[2 * p + 1] as number
    let c = 0
    for (let depth = 0; ; depth++) {
      if (count[c] === 0) {
        count[c] = 1
        massX[c] = x
        massY[c] = v
        point[c] = p
        return
      }
      if (firstChild[c] === 0) {
        const q = point[c] as number
        const merge =
          q === MANY_POINTS || depth >= MAX_DEPTH || (y[2 * q] === x && y[2 * q + 1] === v)
        if (merge) {
          count[c] = (count[c] as number) + 1
          massX[c] = (massX[c] as number) + x
          massY[c] = (massY[c] as number) + v
          point[c] = MANY_POINTS
          return
        }
        this.split(c)
        const qc = this.childFor(c, y[2 * q] as number, y[2 * q + 1] as number)
        count[qc] = 1
        massX[qc] = y[2 * q] as number
        massY[qc] = y[2 * q + 1] as number
        point[qc] = q
        point[c] = NO_POINT
      }
      count[c] = (count[c] as number) + 1
      massX[c] = (massX[c] as number) + x
      massY[c] = (massY[c] as number) + v
      c =
        (firstChild[c] as number) +
        (x >= (centreX[c] as number) ? 1 : 0) +
        (v >= (centreY[c] as number) ? 2 : 0)
    }
  }

  private childFor(c: number, x: number, v: number): number {
    return (
      (this.firstChild[c] as number) +
      (x >= (this.centreX[c] as number) ? 1 : 0) +
      (v >= (this.centreY[c] as number) ? 2 : 0)
    )
  }

  private split(c: number): void {
    const first = this.size
    this.size += 4
    this.firstChild[c] = first
    const h = (this.halfWidth[c] as number) / 2
    const cx = this.centreX[c] as number
    const cy = this.centreY[c] as number
    this.initCell(first, cx - h, cy - h, h)
    this.initCell(first + 1, cx + h, cy - h, h)
    this.initCell(first + 2, cx - h, cy + h, h)
    this.initCell(first + 3, cx + h, cy + h, h)
  }

  private initCell(c: number, cx: number, cy: number, half: number): void {
    this.centreX[c] = cx
    this.centreY[c] = cy
    this.halfWidth[c] = half
    this.count[c] = 0
    this.massX[c] = 0
    this.massY[c] = 0
    this.firstChild[c] = 0
    this.point[c] = NO_POINT
  }

  private grow(capacity: number): void {
    if (capacity <= this.capacity) return
    const keep = this.size
    const f64 = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const a = new Float64Array(capacity)
      a.set(old.subarray(0, keep))
      return a
    }
    const i32 = (old: Int32Array): Int32Array<ArrayBuffer> => {
      const a = new Int32Array(capacity)
      a.set(old.subarray(0, keep))
      return a
    }
    this.centreX = f64(this.centreX)
    this.centreY = f64(this.centreY)
    this.halfWidth = f64(this.halfWidth)
    this.massX = f64(this.massX)
    this.massY = f64(this.massY)
    this.count = i32(this.count)
    this.firstChild = i32(this.firstChild)
    this.point = i32(this.point)
    this.capacity = capacity
  }
}
