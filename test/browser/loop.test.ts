import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { addMorphKeyframes, stripOfFirstFace } from '../support/latentScreens'
import { freshStudio } from '../support/studioOnProject'
import { repoRoot, sharedDataAvailable, sharedDir } from '../support/sharedData'

/** Real labelled CelebA photos (half size), so the Attributes screen has real labels to work with. */
const REAL_FACES = join(sharedDir, 'celeba-labelled-half')
const REAL_FACE_COUNT = 4000

/**
 * The whole loop from the studio's own screens on real faces, never a terminal: create a project,
 * ingest, train from the form, and the latents, the map, an attribute strip and a morph follow.
 */
describe.skipIf(!sharedDataAvailable())('the whole loop on real faces', () => {
  const studio = freshStudio('loop-browser-')

  const attr = async (testid: string, name: string): Promise<number> =>
    Number(await studio.page.getByTestId(testid).getAttribute(name))

  it(
    'create → ingest → train → latents → map → strip → morph export',
    { timeout: 900_000 },
    async () => {
      const { page, pageErrors } = studio
      const projectDir = join(studio.dir, 'real-faces')
      await page.getByTestId('nav-projects').click({ timeout: 60_000 })
      await page.getByTestId('project-path-input').fill(projectDir)
      await page.getByTestId('dataset-path-input').fill(REAL_FACES)
      await page.getByTestId('create-project-button').click()
      await expect
        .poll(() => page.getByTestId('summary-images').textContent(), { timeout: 300_000 })
        .toBe(String(REAL_FACE_COUNT))

      // Explore before training offers training, not a command.
      await page.getByTestId('nav-explore').click()
      await page.getByTestId('encode-untrained').waitFor({ timeout: 30_000 })
      // Without latents a map cannot be computed: Compute waits instead of failing.
      await expect.poll(() => page.getByTestId('map-compute-button').isDisabled()).toBe(true)

      await page.getByTestId('nav-training').click()
      await page.getByTestId('train-preset-select').selectOption('classic-64')
      await page.getByTestId('train-steps-input').fill('30')
      await page.getByTestId('train-seed-input').fill('5')
      await page.getByTestId('train-backend-select').selectOption('auto')
      await page.getByTestId('train-start-button').click()
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="run-row"]')?.getAttribute('data-status') ===
          'finished',
        undefined,
        { timeout: 600_000 },
      )

      // The studio encodes the finished run by itself; the map follows without Compute.
      await page.getByTestId('nav-explore').click()
      await expect
        .poll(() => attr('map-canvas', 'data-points'), { timeout: 600_000 })
        .toBe(REAL_FACE_COUNT)
      expect(await page.getByTestId('encode-button').count()).toBe(0)
      expect(await page.getByTestId('map-compute-button').isDisabled()).toBe(false)

      await stripOfFirstFace(page, 'Smiling')
      await addMorphKeyframes(page, ['000002.jpg', '000005.jpg'])
      // Exports land in the project's exports folder under the name given.
      const out = join(projectDir, 'exports', 'real-morph.gif')
      await page.getByTestId('export-format-select').selectOption('gif')
      await page.getByTestId('export-size-input').fill('64')
      await page.getByTestId('export-path-input').fill('real-morph.gif')
      await page.getByTestId('export-button').click()
      const result = page.getByTestId('export-result')
      await result.waitFor({ timeout: 180_000 })
      expect(await result.getAttribute('data-status')).toBe('done')
      expect(existsSync(out)).toBe(true)
      expect(readFileSync(out).subarray(0, 6).toString('latin1')).toBe('GIF89a')

      mkdirSync(join(repoRoot, 'test-output'), { recursive: true })
      await page.screenshot({ path: join(repoRoot, 'test-output', 'loop.png') })
      expect(pageErrors).toEqual([])
      expect(await page.getByTestId('error-banner').count()).toBe(0)
    },
  )
})
