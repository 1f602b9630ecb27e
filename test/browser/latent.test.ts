import { existsSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { MethodOutput } from '../../src/shared/contract'
import { latentFingerprint } from '../../src/main/studio/latent/analysisCache'
import { cachedMap, storeMap } from '../../src/main/studio/latent/maps'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import { latestTrainedRun } from '../../src/main/store/runs'
import type { RunningServe } from '../support/serveHarness'
import { repoRoot } from '../support/sharedData'
import { studioOnProject } from '../support/studioOnProject'

async function attr(locator: Locator, name: string): Promise<number> {
  return Number(await locator.getAttribute(name))
}

describe('the Explore and Attributes screens', () => {
  const studio = studioOnProject('latent-browser-', { trainSteps: 12, encode: true })
  let serve: RunningServe | undefined
  let page: Page
  let pageErrors: string[] = []

  beforeAll(() => {
    ;({ serve, page, pageErrors } = studio)
  })

  it('maps the latent space, zooms, hovers and picks a face', { timeout: 240_000 }, async () => {
    await page.getByTestId('nav-explore').click({ timeout: 60_000 })
    await page.getByTestId('map-method-select').selectOption('pca')
    await page.getByTestId('map-compute-button').click()

    const canvas = page.getByTestId('map-canvas')
    await expect.poll(() => attr(canvas, 'data-points'), { timeout: 120_000 }).toBeGreaterThan(0)
    const stored = await serve!.call<MethodOutput<'latent.mapResult'>>('latent.mapResult', {
      method: 'pca',
    })
    expect(stored?.points).toBe(160)
    expect(await attr(canvas, 'data-points')).toBe(stored?.points)
    expect(await attr(canvas, 'data-visible')).toBe(stored?.points)

    // The wheel zooms the scatter around the pointer.
    const box = await canvas.boundingBox()
    if (!box) throw new Error('map canvas has no box')
    expect(await attr(canvas, 'data-zoom-k')).toBe(1)
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.wheel(0, -400)
    await expect.poll(() => attr(canvas, 'data-zoom-k'), { timeout: 10_000 }).toBeGreaterThan(1.2)
    expect(await attr(canvas, 'data-zoom-x')).not.toBe(0)

    // Sweep the pointer outward from the centre until it rests on a point and the face shows.
    const hoverFace = page.getByTestId('map-hover-face')
    let found = false
    for (let ring = 0; ring < 40 && !found; ring++) {
      const r = ring * 10
      const stepsOnRing = Math.max(1, Math.round((2 * Math.PI * r) / 10))
      for (let s = 0; s < stepsOnRing && !found; s++) {
        const a = (2 * Math.PI * s) / stepsOnRing
        const x = box.width / 2 + r * Math.cos(a)
        const y = box.height / 2 + r * Math.sin(a)
        if (x < 50 || y < 12 || x > box.width - 14 || y > box.height - 28) continue
        await page.mouse.move(box.x + x, box.y + y)
        found = await hoverFace.isVisible()
      }
    }
    expect(found).toBe(true)
    const hoveredId = await attr(hoverFace, 'data-image-id')
    expect(hoveredId).toBeGreaterThan(0)
    const thumb = hoverFace.locator('img')
    await expect
      .poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 10_000 })
      .toBeGreaterThan(0)

    // A click picks the face: its reconstruction and its nearest neighbours appear.
    await page.mouse.down()
    await page.mouse.up()
    const selected = page.getByTestId('map-selected-face')
    await selected.waitFor({ timeout: 10_000 })
    expect(await attr(selected, 'data-image-id')).toBe(hoveredId)
    await page.getByTestId('map-neighbours').waitFor({ timeout: 30_000 })
    expect(await page.locator('[data-testid="map-neighbours"] button').count()).toBeGreaterThan(0)
    await expect
      .poll(() => page.getByTestId('map-selected-file').textContent(), { timeout: 10_000 })
      .toMatch(/\.(jpg|png)/)

    // Colour by an attribute: the legend accounts for every point.
    await page.getByTestId('map-color-select').selectOption('Smiling')
    const counts = page.getByTestId('map-legend-count')
    await counts.first().waitFor({ timeout: 30_000 })
    const perClass = await counts.evaluateAll((els) => els.map((e) => Number(e.dataset.count)))
    expect(perClass.length).toBeGreaterThanOrEqual(2)
    expect(perClass.reduce((a, b) => a + b, 0)).toBe(160)
    expect(await attr(canvas, 'data-points')).toBe(160)
    await page.getByTestId('map-density-toggle').check()
    await expect.poll(() => attr(canvas, 'data-contours'), { timeout: 10_000 }).toBeGreaterThan(0)

    mkdirSync(join(repoRoot, 'test-output'), { recursive: true })
    await page.screenshot({ path: join(repoRoot, 'test-output', 'latent-explore.png') })

    // Statistics and samples from the prior.
    const histograms = page.getByTestId('histogram-panel')
    await histograms.waitFor({ timeout: 60_000 })
    expect(await attr(histograms, 'data-dims')).toBeGreaterThan(0)
    expect(await histograms.locator('polyline').count()).toBe(await attr(histograms, 'data-dims'))
    const samples = page.getByTestId('samples-grid')
    await expect.poll(() => attr(samples, 'data-count'), { timeout: 60_000 }).toBe(16)
    const seedBefore = await attr(samples, 'data-seed')
    await page.getByTestId('resample-button').click()
    await expect.poll(() => attr(samples, 'data-seed')).not.toBe(seedBefore)
  })

  it('draws a map of tens of thousands of points from pixels, zooms and hovers', async () => {
    // A 30,000-point map (above the raster threshold) written into the run's cache as if computed:
    // the run's 160 real faces, each at ~190 places in a few blobs.
    const total = 30_000
    const { db } = openProjectFolder(studio.projectDir)
    let realIds: number[]
    try {
      const run = latestTrainedRun(db)
      const pca = run ? cachedMap(db, run.id, 'pca') : null
      if (!run || !pca) throw new Error('the first test should have left a trained run and a map')
      realIds = Array.from(pca.imageIds).sort((a, b) => a - b)
      const imageIds = Int32Array.from({ length: total }, (_, i) => {
        return realIds[Math.floor((i * realIds.length) / total)] as number
      })
      const coords = new Float32Array(total * 2)
      for (let i = 0; i < total; i++) {
        const blob = i % 5
        const angle = (i * 2.399963) % (2 * Math.PI)
        const radius = Math.sqrt((i % 997) / 997) * 3
        coords[2 * i] = blob * 10 + radius * Math.cos(angle)
        coords[2 * i + 1] = (blob % 2) * 8 + radius * Math.sin(angle)
      }
      const map = {
        runId: run.id,
        method: 'umap' as const,
        points: total,
        seconds: 0,
        coords,
        imageIds,
      }
      storeMap(db, map, undefined, latentFingerprint(db, run.id))
    } finally {
      db.close()
    }

    await page.getByTestId('nav-explore').click()
    await page.getByTestId('map-color-select').selectOption('')
    await page.getByTestId('map-density-toggle').uncheck()
    await page.getByTestId('map-method-select').selectOption('umap')
    const canvas = page.getByTestId('map-canvas')
    await expect.poll(() => attr(canvas, 'data-points'), { timeout: 60_000 }).toBe(total)
    await expect.poll(() => attr(canvas, 'data-visible'), { timeout: 10_000 }).toBe(total)
    const box = await canvas.boundingBox()
    if (!box) throw new Error('map canvas has no box')
    // The points are on the canvas: many lit pixels inside the plot area, none in the margins.
    const lit = (x: number, y: number, w: number, h: number): Promise<number> =>
      canvas.evaluate(
        (el: HTMLCanvasElement, r: number[]) => {
          const scale = el.width / el.clientWidth
          const [x0, y0, w0, h0] = r.map((v) => Math.round(v * scale)) as [
            number,
            number,
            number,
            number,
          ]
          const data =
            el.getContext('2d')?.getImageData(x0, y0, w0, h0).data ?? new Uint8ClampedArray()
          let n = 0
          for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++
          return n
        },
        [x, y, w, h],
      )
    expect(await lit(44, 10, box.width - 56, box.height - 36)).toBeGreaterThan(2000)
    expect(await lit(0, 0, 40, box.height)).toBe(0)

    const drawsBefore = await attr(canvas, 'data-draws')
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.wheel(0, -600)
    await expect.poll(() => attr(canvas, 'data-zoom-k'), { timeout: 10_000 }).toBeGreaterThan(1.5)
    await expect.poll(() => attr(canvas, 'data-draws')).toBeGreaterThan(drawsBefore)
    await expect.poll(() => attr(canvas, 'data-visible')).toBeLessThan(total)

    // Hover still finds the nearest point and shows its face.
    const hoverFace = page.getByTestId('map-hover-face')
    let found = false
    for (let i = 0; i < 200 && !found; i++) {
      const x = box.width * (0.1 + 0.8 * ((i * 0.618) % 1))
      const y = box.height * (0.1 + 0.75 * ((i * 0.382) % 1))
      await page.mouse.move(box.x + x, box.y + y)
      found = await hoverFace.isVisible()
    }
    expect(found).toBe(true)
    expect(realIds).toContain(await attr(hoverFace, 'data-image-id'))
    expect(pageErrors).toEqual([])
  })

  it('edits a dataset face live with attribute sliders', { timeout: 180_000 }, async () => {
    await page.getByTestId('nav-attributes').click()
    const firstFace = page.getByTestId('attr-dataset-face').first()
    await firstFace.waitFor({ timeout: 30_000 })
    await firstFace.click()

    const face = page.getByTestId('attr-face-image')
    await face.waitFor({ timeout: 60_000 })
    expect(await face.getAttribute('src')).toMatch(/^data:image\//)
    const before = await attr(face, 'data-version')
    expect(before).toBeGreaterThan(0)

    const slider = page.getByTestId('attr-slider-Smiling')
    await slider.waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('attr-auc-Smiling').textContent()).toMatch(/^(\d\.\d\d|–)$/)
    // The synthetic set has a test split; the AUCs say where they were measured.
    expect(await page.getByTestId('auc-split').textContent()).toBe('the test split')
    await slider.focus()
    for (let i = 0; i < 15; i++) await page.keyboard.press('ArrowRight')
    expect(Number(await slider.inputValue())).toBeCloseTo(1.5)
    await expect.poll(() => attr(face, 'data-version'), { timeout: 60_000 }).toBeGreaterThan(before)
    // Stale positions are dropped, never the last one: the image ends on the slider's position.
    await expect
      .poll(() => face.getAttribute('data-edits'), { timeout: 60_000 })
      .toBe('Smiling:1.5')
    expect(await attr(face, 'data-version')).toBeLessThanOrEqual(before + 15)

    // Each attribute can move along its linear classifier's normal instead, both AUCs offered.
    await page.getByTestId('attr-linear-button').click()
    const method = page.getByTestId('attr-method-Smiling')
    await method.waitFor({ timeout: 120_000 })
    const options = await method.locator('option').allTextContents()
    expect(options[0]).toMatch(/^means (\d\.\d\d|–)$/)
    expect(options[1]).toMatch(/^linear (\d\.\d\d|–)$/)
    const beforeLinear = await attr(face, 'data-version')
    await method.selectOption('linear')
    await expect
      .poll(() => attr(face, 'data-version'), { timeout: 60_000 })
      .toBeGreaterThan(beforeLinear)

    // The −4…4 strip, saved in the project's exports folder under the name the user gave.
    const stripFile = join(studio.projectDir, 'exports', 'smiling-strip.png')
    await page.getByTestId('strip-attribute-select').selectOption('Smiling')
    await page.getByTestId('strip-path-input').fill('smiling-strip.png')
    await page.getByTestId('strip-button').click()
    const strip = page.getByTestId('strip-image')
    await strip.waitFor({ timeout: 60_000 })
    const size = await strip.evaluate((img: HTMLImageElement) => [
      img.naturalWidth,
      img.naturalHeight,
    ])
    expect(size[0]).toBeGreaterThan(size[1] ?? 0)
    expect(existsSync(stripFile)).toBe(true)
    expect(statSync(stripFile).size).toBeGreaterThan(0)

    await page.getByTestId('add-to-morph-button').click()
    expect(await attr(page.getByTestId('morph-queue-count'), 'data-count')).toBe(1)

    await page.screenshot({ path: join(repoRoot, 'test-output', 'latent.png') })
    expect(pageErrors).toEqual([])
    expect(await page.getByTestId('error-banner').count()).toBe(0)
  })
})
