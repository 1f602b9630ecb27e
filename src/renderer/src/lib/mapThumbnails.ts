/**
 * Faces on the zoomed-in map: which points are in view (typed arrays, one pass) and a bounded cache
 * of their thumbnails, loaded once each through the grid's thumbnail route.
 */

/** Indices of the points whose screen position (a·v + b) lies in the box, at most `max` of them. */
export function pointsInView(
  xs: Float32Array,
  ys: Float32Array,
  ax: number,
  bx: number,
  ay: number,
  by: number,
  box: { left: number; right: number; top: number; bottom: number },
  max: number,
): Uint32Array {
  const out = new Uint32Array(Math.max(0, max))
  let k = 0
  for (let i = 0; i < xs.length && k < max; i++) {
    const px = ax * (xs[i] as number) + bx
    const py = ay * (ys[i] as number) + by
    if (px > box.left && px < box.right && py > box.top && py < box.bottom) out[k++] = i
  }
  return out.subarray(0, k)
}

interface Entry {
  image: HTMLImageElement
  ready: boolean
}

/**
 * Thumbnails by image id, least recently used dropped beyond `capacity`. `get` starts a load on a
 * miss and answers null until the picture is decoded; `onLoad` then asks for a redraw (at most
 * once a frame, however many arrive together). A face whose thumbnail fails stays a dot.
 */
export class ThumbnailCache {
  private readonly entries = new Map<number, Entry>()
  private redrawQueued = false

  constructor(
    private readonly capacity: number,
    private readonly onLoad: () => void,
  ) {}

  get(imageId: number, url: (imageId: number) => string): HTMLImageElement | null {
    const hit = this.entries.get(imageId)
    if (hit) {
      // Re-inserting keeps the Map's order least-recently-used first.
      this.entries.delete(imageId)
      this.entries.set(imageId, hit)
      return hit.ready ? hit.image : null
    }
    const image = new Image()
    const entry: Entry = { image, ready: false }
    image.decoding = 'async'
    image.onload = () => {
      entry.ready = true
      this.queueRedraw()
    }
    image.src = url(imageId)
    this.entries.set(imageId, entry)
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as number
      this.entries.delete(oldest)
    }
    return null
  }

  get size(): number {
    return this.entries.size
  }

  private queueRedraw(): void {
    if (this.redrawQueued) return
    this.redrawQueued = true
    requestAnimationFrame(() => {
      this.redrawQueued = false
      this.onLoad()
    })
  }
}
