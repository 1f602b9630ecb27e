import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_FACE_COUNT } from '../../src/main/studio/demoProject'
import { openStudioPage } from '../support/browser'
import { startServe, type RunningServe } from '../support/serveHarness'
import { repoRoot } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

/** `face-studio serve` with a fresh home opens the demo: its latent screens work at once. */
describe('the demo on first open', () => {
  const temp = makeTempDir('demo-browser-')
  let serve: RunningServe | undefined
  let browser: Browser | undefined
  let page: Page
  let pageErrors: string[] = []

  beforeAll(async () => {
    serve = await startServe({ home: join(temp.dir, 'home') })
    ;({ browser, page, pageErrors } = await openStudioPage(serve.url))
  })
  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
    temp.cleanup()
  })

  const attr = async (selector: string, name: string): Promise<number> =>
    Number(await page.getByTestId(selector).getAttribute(name))

  it(
    'shows a map, an attribute strip and a morph preview without training or a terminal',
    { timeout: 240_000 },
    async () => {
      // Explore: the demo's map is there without pressing Compute, and nothing asks to encode.
      await page.getByTestId('nav-explore').click({ timeout: 60_000 })
      await expect
        .poll(() => attr('map-canvas', 'data-points'), { timeout: 60_000 })
        .toBe(DEMO_FACE_COUNT)
      expect(await page.getByTestId('encode-button').count()).toBe(0)
      expect(await page.getByTestId('encode-untrained').count()).toBe(0)

      // Attributes: a dataset face and its Smiling strip.
      await page.getByTestId('nav-attributes').click()
      const firstFace = page.getByTestId('attr-dataset-face').first()
      await firstFace.waitFor({ timeout: 30_000 })
      await firstFace.click()
      await page.getByTestId('attr-face-image').waitFor({ timeout: 60_000 })
      await page.getByTestId('attr-slider-Smiling').waitFor({ timeout: 60_000 })
      await page.getByTestId('strip-attribute-select').selectOption('Smiling')
      await page.getByTestId('strip-button').click()
      const strip = page.getByTestId('strip-image')
      await strip.waitFor({ timeout: 60_000 })
      const size = await strip.evaluate((img: HTMLImageElement) => [
        img.naturalWidth,
        img.naturalHeight,
      ])
      expect(size[0]).toBeGreaterThan(size[1] ?? 0)

      // Morph: two demo faces, and the preview shows a decoded frame.
      await page.getByTestId('nav-morph').click()
      for (const [file, count] of [
        ['000002.jpg', 1],
        ['000005.jpg', 2],
      ] as const) {
        await page.getByTestId('add-keyframe-dataset').click()
        await page.getByTestId('keyframe-file-input').fill(file)
        await page.getByTestId('keyframe-add-confirm').click()
        await expect
          .poll(() => page.getByTestId('keyframe-item').count(), { timeout: 60_000 })
          .toBe(count)
      }
      const frame = page.getByTestId('morph-frame-image')
      await expect
        .poll(() => frame.getAttribute('src'), { timeout: 60_000 })
        .toMatch(/^data:image\//)

      mkdirSync(join(repoRoot, 'test-output'), { recursive: true })
      await page.screenshot({ path: join(repoRoot, 'test-output', 'demo.png') })
      expect(pageErrors).toEqual([])
      expect(await page.getByTestId('error-banner').count()).toBe(0)
    },
  )
})
