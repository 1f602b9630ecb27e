import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { MethodOutput } from '../../src/shared/contract'
import { pointsInBox, pointsInPolygon } from '../../src/shared/selection/lasso'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import { attributeNames } from '../../src/main/studio/latent/latentData'
import { equalAspectDomains, pointsExtent } from '../../src/renderer/src/lib/mapPoints'
import { SCATTER_POINTS, seedScatterMap, type ScatterMap } from '../support/scatterMap'
import { studioOnProject } from '../support/studioOnProject'

const MARGIN = { top: 10, right: 12, bottom: 26, left: 44 }
const MAP_HEIGHT = 560
const GLASSES = { x: 88, y: 88 }
const OTHERS = { x: 80, y: 80 }

async function attr(locator: Locator, name: string): Promise<number> {
  return Number(await locator.getAttribute(name))
}

/** The page's screen ↔ map transform (its base scales under the current zoom), for expectations. */
class MapView {
  constructor(
    private readonly map: ScatterMap,
    private readonly box: { x: number; y: number; width: number },
    private readonly zoom: { k: number; x: number; y: number },
  ) {}

  private get domains(): ReturnType<typeof equalAspectDomains> {
    const n = this.map.imageIds.length
    const x = new Float32Array(n)
    const y = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      x[i] = this.map.coords[2 * i] as number
      y[i] = this.map.coords[2 * i + 1] as number
    }
    const innerW = this.box.width - MARGIN.left - MARGIN.right
    const innerH = MAP_HEIGHT - MARGIN.top - MARGIN.bottom
    const extent = pointsExtent({ count: n, x, y, imageIds: this.map.imageIds, colors: null })
    return equalAspectDomains(extent, innerW, innerH)
  }

  /** Page coordinates of a map point. */
  toPage(mx: number, my: number): [number, number] {
    const d = this.domains
    const innerW = this.box.width - MARGIN.left - MARGIN.right
    const innerH = MAP_HEIGHT - MARGIN.top - MARGIN.bottom
    const bx = MARGIN.left + ((mx - d.x[0]) / (d.x[1] - d.x[0])) * innerW
    const by = MARGIN.top + innerH - ((my - d.y[0]) / (d.y[1] - d.y[0])) * innerH
    return [
      this.box.x + this.zoom.k * bx + this.zoom.x,
      this.box.y + this.zoom.k * by + this.zoom.y,
    ]
  }

  /** Map coordinates of a page position. */
  toMap(px: number, py: number): [number, number] {
    const d = this.domains
    const innerW = this.box.width - MARGIN.left - MARGIN.right
    const innerH = MAP_HEIGHT - MARGIN.top - MARGIN.bottom
    const bx = (px - this.box.x - this.zoom.x) / this.zoom.k
    const by = (py - this.box.y - this.zoom.y) / this.zoom.k
    return [
      d.x[0] + ((bx - MARGIN.left) / innerW) * (d.x[1] - d.x[0]),
      d.y[0] + ((MARGIN.top + innerH - by) / innerH) * (d.y[1] - d.y[0]),
    ]
  }

  xs(): Float32Array {
    return Float32Array.from(
      { length: this.map.imageIds.length },
      (_, i) => this.map.coords[2 * i] as number,
    )
  }

  ys(): Float32Array {
    return Float32Array.from(
      { length: this.map.imageIds.length },
      (_, i) => this.map.coords[2 * i + 1] as number,
    )
  }
}

async function viewOf(page: Page, map: ScatterMap): Promise<MapView> {
  const canvas = page.getByTestId('map-canvas')
  const box = await canvas.boundingBox()
  if (!box) throw new Error('the map canvas has no box')
  return new MapView(map, box, {
    k: await attr(canvas, 'data-zoom-k'),
    x: await attr(canvas, 'data-zoom-x'),
    y: await attr(canvas, 'data-zoom-y'),
  })
}

async function drag(page: Page, path: [number, number][]): Promise<void> {
  const [first, ...rest] = path
  if (!first) return
  await page.mouse.move(first[0], first[1])
  await page.mouse.down()
  for (const [x, y] of rest) await page.mouse.move(x, y, { steps: 6 })
  await page.mouse.up()
}

describe('selecting groups of faces on the 202,599-point map', () => {
  const studio = studioOnProject('explore-select-', { trainSteps: 2, encode: true })
  let page: Page
  let map: ScatterMap
  let glasses: Set<number>

  beforeAll(() => {
    page = studio.page
    const { db } = openProjectFolder(studio.projectDir)
    try {
      const a = attributeNames(db).indexOf('Eyeglasses')
      glasses = new Set(
        (
          db.prepare(`SELECT image_id AS id FROM image_attributes WHERE a${a} = 1`).all() as {
            id: number
          }[]
        ).map((r) => r.id),
      )
    } finally {
      db.close()
    }
    // The real faces in two small clusters: those with glasses, and the others.
    map = seedScatterMap(studio.projectDir, {
      placeReal: (id, k) => {
        const c = glasses.has(id) ? GLASSES : OTHERS
        const a = k * 2.399963
        const r = 1.2 * Math.sqrt((k % 40) / 40)
        return [c.x + r * Math.cos(a), c.y + r * Math.sin(a)]
      },
    })
  })

  it(
    'selects by lasso and box, adds with shift and removes with alt',
    { timeout: 240_000 },
    async () => {
      await page.getByTestId('nav-explore').click({ timeout: 60_000 })
      await page.getByTestId('map-method-select').selectOption('tsne')
      const canvas = page.getByTestId('map-canvas')
      await expect
        .poll(() => attr(canvas, 'data-points'), { timeout: 120_000 })
        .toBe(SCATTER_POINTS)

      const view = await viewOf(page, map)
      const box = (await canvas.boundingBox())!
      const xs = view.xs()
      const ys = view.ys()
      // A triangle in the left half, a box in the right half: disjoint, so counts add up.
      const triangle: [number, number][] = [
        [box.x + box.width * 0.1, box.y + 60],
        [box.x + box.width * 0.45, box.y + 120],
        [box.x + box.width * 0.2, box.y + 480],
      ]
      const polygon = triangle.flatMap(([x, y]) => view.toMap(x, y))
      const inTriangle = pointsInPolygon(xs, ys, polygon).length
      const b0: [number, number] = [box.x + box.width * 0.55, box.y + 100]
      const b1: [number, number] = [box.x + box.width * 0.9, box.y + 400]
      const [m0x, m0y] = view.toMap(b0[0], b0[1])
      const [m1x, m1y] = view.toMap(b1[0], b1[1])
      const inBox = pointsInBox(xs, ys, m0x, m0y, m1x, m1y).length
      expect(inTriangle).toBeGreaterThan(1000)
      expect(inBox).toBeGreaterThan(1000)
      // Pointer positions are whole pixels on both sides; points on an edge may fall either way.
      const near = (want: number) => (got: number) =>
        Math.abs(got - want) <= Math.max(3, want * 0.002)

      await page.getByTestId('map-tool-lasso').click()
      await drag(page, [...triangle, triangle[0] as [number, number]])
      await expect
        .poll(() => attr(canvas, 'data-selected'), { timeout: 30_000 })
        .toSatisfy(near(inTriangle))
      expect(await attr(canvas, 'data-select-ms')).toBeGreaterThan(0)
      const count = page.getByTestId('selection-count')
      await expect.poll(() => attr(count, 'data-count')).toBe(await attr(canvas, 'data-selected'))
      // The grid is virtual: it knows every face and renders only a few rows.
      const grid = page.getByTestId('selection-grid')
      expect(await attr(grid, 'data-count')).toBe(await attr(count, 'data-count'))
      const cells = await page.getByTestId('selection-cell').count()
      expect(cells).toBeGreaterThan(0)
      expect(cells).toBeLessThan(200)
      await expect
        .poll(() => attr(page.getByTestId('selection-makeup'), 'data-rows'), { timeout: 30_000 })
        .toBeGreaterThan(0)

      await page.getByTestId('map-tool-box').click()
      await page.keyboard.down('Shift')
      await drag(page, [b0, b1])
      await page.keyboard.up('Shift')
      await expect
        .poll(() => attr(canvas, 'data-selected'), { timeout: 30_000 })
        .toSatisfy(near(inTriangle + inBox))

      await page.getByTestId('map-tool-lasso').click()
      await page.keyboard.down('Alt')
      await drag(page, [...triangle, triangle[0] as [number, number]])
      await page.keyboard.up('Alt')
      await expect
        .poll(() => attr(canvas, 'data-selected'), { timeout: 30_000 })
        .toSatisfy(near(inBox))
      await expect.poll(() => attr(count, 'data-count')).toBe(await attr(canvas, 'data-selected'))
    },
  )

  it(
    'finds a face, draws faces when zoomed in, and makes an attribute of the faces with glasses',
    { timeout: 240_000 },
    async () => {
      const canvas = page.getByTestId('map-canvas')
      await page.getByTestId('map-tool-pan').click()
      const first = [...glasses][0] as number
      await page.getByTestId('map-find-input').fill(String(first))
      await page.getByTestId('map-find-input').press('Enter')
      await expect
        .poll(() => attr(canvas, 'data-zoom-k'), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(12)
      expect(await attr(page.getByTestId('map-selected-face'), 'data-image-id')).toBe(first)
      // Few points in view: the real faces are drawn as their thumbnails.
      await expect.poll(() => attr(canvas, 'data-visible')).toBeLessThanOrEqual(400)
      await expect
        .poll(() => attr(canvas, 'data-thumbnails'), { timeout: 30_000 })
        .toBeGreaterThan(10)

      // A box around the cluster of faces with glasses selects them (and any haze point there).
      const view = await viewOf(page, map)
      const a = view.toPage(GLASSES.x - 1.5, GLASSES.y + 1.5)
      const b = view.toPage(GLASSES.x + 1.5, GLASSES.y - 1.5)
      await page.getByTestId('map-tool-box').click()
      await drag(page, [a, b])
      const count = page.getByTestId('selection-count')
      await expect
        .poll(() => attr(count, 'data-count'), { timeout: 30_000 })
        .toBeGreaterThanOrEqual(glasses.size)

      await page.getByTestId('custom-name-input').fill('my: glasses')
      await page.getByTestId('custom-make-button').click()
      const made = page.getByTestId('custom-made')
      await made.waitFor({ timeout: 60_000 })
      const listed = await studio.serve.call<MethodOutput<'attributes.custom.list'>>(
        'attributes.custom.list',
        {},
      )
      const mine = listed.items.find((i) => i.name === 'my: glasses')
      expect(mine?.positives).toBe(glasses.size)
      expect(mine?.negatives).toBe(160 - glasses.size)
      expect(await made.getAttribute('data-auc')).toBe(String(mine?.auc ?? ''))

      // Hand labelling: a ticked "lacks" moves a face out of the attribute's positives.
      await page.getByTestId('selection-label-select').selectOption('my: glasses')
      const cell = page.locator(`[data-testid="selection-cell"][data-image-id="${first}"]`)
      await cell.getByTestId('selection-tick-lacks').click()
      await expect
        .poll(
          async () =>
            (
              await studio.serve.call<MethodOutput<'attributes.custom.faces'>>(
                'attributes.custom.faces',
                { name: 'my: glasses' },
              )
            ).negatives,
          // The label refits the attribute on the host: as long as that takes, not a second.
          { timeout: 30_000 },
        )
        .toContain(first)

      // Exports: a CSV of the selection, and the mean face onto the morph timeline.
      const csv = join(studio.dir, 'glasses.csv')
      await page.getByTestId('selection-export-input').fill(csv)
      await page.getByTestId('selection-export-button').click()
      await page.getByTestId('selection-exported').waitFor({ timeout: 30_000 })
      expect(existsSync(csv)).toBe(true)
      const lines = readFileSync(csv, 'utf8').trim().split('\n')
      expect(lines.length).toBe((await attr(count, 'data-count')) + 1)
      expect(lines[0]).toMatch(/^file,image_id,tsne_x,tsne_y,/)
      const queued = page.getByTestId('selection-morph-count')
      const before = await attr(queued, 'data-count')
      await page.getByTestId('selection-mean-morph').click()
      await expect.poll(() => attr(queued, 'data-count'), { timeout: 30_000 }).toBe(before + 1)

      // The attribute colours the map: its faces (less the one ticked as lacking) against the rest.
      const selected = await attr(count, 'data-count')
      await page.getByTestId('map-color-select').selectOption('my: glasses')
      const legend = page.getByTestId('map-legend-count')
      await legend.first().waitFor({ timeout: 30_000 })
      const perClass = await legend.evaluateAll((els) => els.map((e) => Number(e.dataset.count)))
      expect(perClass).toEqual([selected - 1, SCATTER_POINTS - selected + 1])

      // And it sits beside the built-in attributes on the Attributes screen, slider and strip.
      await page.getByTestId('nav-attributes').click()
      await page.getByTestId('attr-dataset-face').first().click()
      await page.getByTestId('attr-face-image').waitFor({ timeout: 60_000 })
      await page.getByTestId('attr-slider-my: glasses').waitFor({ timeout: 60_000 })
      await page.getByTestId('strip-attribute-select').selectOption('my: glasses')
      await page.getByTestId('strip-button').click()
      await page.getByTestId('strip-image').waitFor({ timeout: 60_000 })
      expect(studio.pageErrors).toEqual([])
      expect(await page.getByTestId('error-banner').count()).toBe(0)
    },
  )
})
