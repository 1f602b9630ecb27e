import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_FACE_COUNT } from '../../src/main/studio/demoProject'
import { addMorphKeyframes, stripOfFirstFace } from '../support/latentScreens'
import { freshStudio } from '../support/studioOnProject'
import { repoRoot } from '../support/sharedData'

/** `face-studio serve` with a fresh home opens the demo: its latent screens work at once. */
describe('the demo on first open', () => {
  const studio = freshStudio('demo-browser-')

  const attr = async (testid: string, name: string): Promise<number> =>
    Number(await studio.page.getByTestId(testid).getAttribute(name))

  it(
    'shows a map, an attribute strip and a morph preview without training or a terminal',
    { timeout: 240_000 },
    async () => {
      const { page, pageErrors } = studio
      // Explore: the demo's map is there without pressing Compute, and nothing asks to encode.
      await page.getByTestId('nav-explore').click({ timeout: 60_000 })
      await expect
        .poll(() => attr('map-canvas', 'data-points'), { timeout: 60_000 })
        .toBe(DEMO_FACE_COUNT)
      expect(await page.getByTestId('encode-button').count()).toBe(0)
      expect(await page.getByTestId('encode-untrained').count()).toBe(0)

      // Attributes: a dataset face and its Smiling strip.
      const strip = await stripOfFirstFace(page, 'Smiling')
      const size = await strip.evaluate((img: HTMLImageElement) => [
        img.naturalWidth,
        img.naturalHeight,
      ])
      expect(size[0]).toBeGreaterThan(size[1] ?? 0)

      // Morph: two demo faces, and the preview shows a decoded frame.
      await addMorphKeyframes(page, ['000002.jpg', '000005.jpg'])
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
