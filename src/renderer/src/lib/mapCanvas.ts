/**
 * The latent map's canvas renderer: density contours, the points in their colour classes, the
 * selection over them and, zoomed in far enough, the faces themselves. Small maps are drawn as
 * canvas paths; large ones through the software rasteriser (mapRaster), whose pixels are put on
 * the canvas in one call. The component owns interaction and the axes; this draws one frame.
 */
import type { ContourMultiPolygon } from 'd3-contour'
import { geoPath } from 'd3-geo'
import { scaleSequential } from 'd3-scale'
import { interpolateMagma } from 'd3-scale-chromatic'
import { pointRadius, type ColorBatch, type ColorClass, type MapPoints } from './mapPoints'
import { compositeRaster, createRaster, hexColour, rasterizePoints, resetRaster } from './mapRaster'
import { pointsInView } from './mapThumbnails'

export const MAP_FILLS: Record<ColorClass | 'selected', string> = {
  all: '#7c8cff',
  positive: '#ff6b78',
  negative: '#4ea3ff',
  missing: '#5d6577',
  selected: '#ffd166',
}

/** Larger maps are drawn by the software rasteriser instead of canvas paths. */
const RASTER_ABOVE = 20_000
/** Faces instead of dots once no more than this many points are in view. */
const THUMBNAILS_AT_MOST = 400
const THUMB_PX = 40

export interface MapContours {
  shapes: ContourMultiPolygon[]
  max: number
}

/** One frame to draw, in CSS pixels. */
export interface MapScene {
  /** The plot area inside the axes; nothing is drawn outside it. */
  plot: { left: number; top: number; width: number; height: number }
  /** The zoom: screen = k·unzoomed + (x, y); the contours are in unzoomed pixels. */
  transform: { k: number; x: number; y: number }
  /** Screen position of a data coordinate, zoom included. */
  zx: (v: number) => number
  zy: (v: number) => number
  points: MapPoints
  batches: ColorBatch[]
  contours: MapContours | null
  /** Indices of the selected points, drawn over the colour classes. */
  selectedIndices: Uint32Array | null
  /** Membership per point (1 = selected), for outlining selected faces. */
  selection: Uint8Array | null
  /** A face's decoded thumbnail, or null while it loads (it stays a dot). */
  thumbnail: (imageId: number) => CanvasImageSource | null
}

export interface MapDrawStats {
  /** Points drawn (all of them; those outside the view are clipped). */
  drawn: number
  /** Points inside the view. */
  visible: number
  /** Faces drawn instead of dots. */
  thumbnails: number
}

/** The screen transform of one axis as a·v + b: a multiply-add per point instead of a scale call. */
interface Affine {
  ax: number
  bx: number
  ay: number
  by: number
}

export class MapCanvasRenderer {
  private readonly raster = createRaster()
  private pixels: ImageData | null = null
  private layer: HTMLCanvasElement | null = null

  /** Sizes the canvas for the device's pixel ratio and clears it; null without a 2-D context. */
  clear(
    canvas: HTMLCanvasElement,
    width: number,
    height: number,
    dpr: number,
  ): CanvasRenderingContext2D | null {
    const w = Math.round(width)
    if (canvas.width !== w * dpr || canvas.height !== height * dpr) {
      canvas.width = w * dpr
      canvas.height = height * dpr
    }
    const ctx = canvas.getContext('2d')
    if (!ctx) return null
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.clearRect(0, 0, w, height)
    return ctx
  }

  draw(ctx: CanvasRenderingContext2D, s: MapScene, dpr: number): MapDrawStats {
    const { plot } = s
    ctx.save()
    ctx.beginPath()
    ctx.rect(plot.left, plot.top, plot.width, plot.height)
    ctx.clip()
    if (s.contours) drawContours(ctx, s.contours, s.transform)

    const t: Affine = {
      ax: s.zx(1) - s.zx(0),
      bx: s.zx(0),
      ay: s.zy(1) - s.zy(0),
      by: s.zy(0),
    }
    const alpha = s.contours ? 0.35 : s.points.count > 50_000 ? 0.55 : 0.85
    let visible: number
    if (s.points.count > RASTER_ABOVE) {
      ctx.restore()
      visible = this.drawRaster(ctx, s, t, alpha, dpr)
    } else {
      visible = drawPaths(ctx, s, t, alpha)
      ctx.restore()
    }
    const thumbnails = drawThumbnails(ctx, s, t, visible)
    return { drawn: s.points.count, visible, thumbnails }
  }

  private drawRaster(
    ctx: CanvasRenderingContext2D,
    s: MapScene,
    t: Affine,
    alpha: number,
    dpr: number,
  ): number {
    const { plot } = s
    const r = pointRadius(s.points.count, s.transform.k)
    // Raster pixels cover the plot area only, which is also the clip.
    const pw = Math.max(1, Math.round(plot.width * dpr))
    const ph = Math.max(1, Math.round(plot.height * dpr))
    resetRaster(this.raster, pw, ph)
    const pass = {
      xs: s.points.x,
      ys: s.points.y,
      layers: s.batches.map((b) => b.indices),
      ax: t.ax * dpr,
      bx: (t.bx - plot.left) * dpr,
      ay: t.ay * dpr,
      by: (t.by - plot.top) * dpr,
      size: r * 2 * dpr,
      disc: r >= 2.5,
    }
    const inView = rasterizePoints(this.raster, pass)
    const colours = s.batches.map((b) => hexColour(MAP_FILLS[b.key]))
    if (s.selectedIndices && s.selectedIndices.length > 0) {
      // The selection is one more layer over the colour classes.
      const layers = s.batches.map(() => new Uint32Array(0))
      rasterizePoints(this.raster, { ...pass, layers: [...layers, s.selectedIndices] })
      colours.push(hexColour(MAP_FILLS.selected))
    }
    if (!this.pixels || this.pixels.width !== pw || this.pixels.height !== ph)
      this.pixels = new ImageData(pw, ph)
    compositeRaster(this.raster, colours, alpha, this.pixels.data)
    if (!s.contours) {
      // Nothing else on the canvas under the plot area: the pixels can replace it outright.
      ctx.putImageData(this.pixels, Math.round(plot.left * dpr), Math.round(plot.top * dpr))
    } else {
      // Over the density contours the points must be composited, through a second canvas.
      this.layer ??= document.createElement('canvas')
      if (this.layer.width !== pw || this.layer.height !== ph) {
        this.layer.width = pw
        this.layer.height = ph
      }
      this.layer.getContext('2d')?.putImageData(this.pixels, 0, 0)
      ctx.drawImage(this.layer, plot.left, plot.top, plot.width, plot.height)
    }
    return inView
  }
}

function drawContours(
  ctx: CanvasRenderingContext2D,
  contours: MapContours,
  t: MapScene['transform'],
): void {
  ctx.save()
  ctx.translate(t.x, t.y)
  ctx.scale(t.k, t.k)
  const colour = scaleSequential(interpolateMagma).domain([0, contours.max * 1.15])
  const path = geoPath(null, ctx)
  for (const shape of contours.shapes) {
    ctx.beginPath()
    path(shape)
    ctx.fillStyle = colour(shape.value)
    ctx.globalAlpha = 0.55
    ctx.fill()
  }
  ctx.restore()
}

/** Small maps: each point a canvas path; returns how many are in view. */
function drawPaths(ctx: CanvasRenderingContext2D, s: MapScene, t: Affine, alpha: number): number {
  const { plot } = s
  const r = pointRadius(s.points.count, s.transform.k)
  const size = r * 2
  const left = plot.left - size
  const right = plot.left + plot.width + size
  const top = plot.top - size
  const bottom = plot.top + plot.height + size
  const xs = s.points.x
  const ys = s.points.y
  ctx.globalAlpha = alpha
  let inView = 0
  for (const batch of s.batches) {
    ctx.fillStyle = MAP_FILLS[batch.key]
    ctx.beginPath()
    let inPath = 0
    for (const i of batch.indices) {
      const px = t.ax * (xs[i] as number) + t.bx
      const py = t.ay * (ys[i] as number) + t.by
      if (!(px > left && px < right && py > top && py < bottom)) continue
      ctx.moveTo(px + r, py)
      ctx.arc(px, py, r, 0, 2 * Math.PI)
      inView++
      // Long paths get slow to fill; flush in chunks.
      if (++inPath === 8192) {
        ctx.fill()
        ctx.beginPath()
        inPath = 0
      }
    }
    if (inPath > 0) ctx.fill()
  }
  if (s.selectedIndices && s.selectedIndices.length > 0) {
    ctx.fillStyle = MAP_FILLS.selected
    ctx.beginPath()
    for (const i of s.selectedIndices) {
      const px = t.ax * (xs[i] as number) + t.bx
      const py = t.ay * (ys[i] as number) + t.by
      if (px > left && px < right && py > top && py < bottom) ctx.rect(px - r, py - r, size, size)
    }
    ctx.fill()
  }
  return inView
}

/**
 * Zoomed in far enough that few points are in view, each is drawn as its face (a face not yet
 * loaded stays a dot). Returns how many faces were drawn.
 */
function drawThumbnails(
  ctx: CanvasRenderingContext2D,
  s: MapScene,
  t: Affine,
  inView: number,
): number {
  if (inView > THUMBNAILS_AT_MOST || s.transform.k <= 1) return 0
  const { plot, points } = s
  const half = THUMB_PX / 2
  const box = {
    left: plot.left - half,
    right: plot.left + plot.width + half,
    top: plot.top - half,
    bottom: plot.top + plot.height + half,
  }
  const indices = pointsInView(points.x, points.y, t.ax, t.bx, t.ay, t.by, box, THUMBNAILS_AT_MOST)
  ctx.save()
  ctx.beginPath()
  ctx.rect(plot.left, plot.top, plot.width, plot.height)
  ctx.clip()
  ctx.globalAlpha = 1
  let n = 0
  for (const i of indices) {
    const image = s.thumbnail(points.imageIds[i] as number)
    if (!image) continue
    const px = t.ax * (points.x[i] as number) + t.bx
    const py = t.ay * (points.y[i] as number) + t.by
    ctx.drawImage(image, px - half, py - half, THUMB_PX, THUMB_PX)
    if (s.selection?.[i]) {
      ctx.strokeStyle = MAP_FILLS.selected
      ctx.lineWidth = 2
      ctx.strokeRect(px - half, py - half, THUMB_PX, THUMB_PX)
    }
    n++
  }
  ctx.restore()
  return n
}
