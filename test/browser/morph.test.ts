import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import omggif from 'omggif'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { MethodOutput } from '../../src/shared/contract'
import { parseTimeline, scheduleDelays, scheduleFrames } from '../../src/shared/latent'
import type { RunningServe } from '../support/serveHarness'
import { repoRoot } from '../support/sharedData'
import { studioOnProject } from '../support/studioOnProject'

describe('the Morph screen', () => {
  const studio = studioOnProject('morph-browser-', { trainSteps: 12 })
  let serve: RunningServe | undefined
  let page: Page
  let pageErrors: string[] = []

  beforeAll(() => {
    ;({ serve, page, pageErrors } = studio)
  })

  async function addDatasetFace(file: string, expected: number): Promise<void> {
    await page.getByTestId('add-keyframe-dataset').click()
    await page.getByTestId('keyframe-file-input').fill(file)
    await page.getByTestId('keyframe-add-confirm').click()
    await expect
      .poll(() => page.getByTestId('keyframe-item').count(), { timeout: 60_000 })
      .toBe(expected)
  }

  it(
    'builds a three-keyframe timeline, scrubs it, saves it and exports a GIF',
    { timeout: 300_000 },
    async () => {
      await page.getByTestId('nav-morph').click()
      await page.getByTestId('keyframe-list').waitFor({ state: 'attached' })

      // Two dataset faces by file name, then a sample from the prior.
      await addDatasetFace('000002.jpg', 1)
      await addDatasetFace('000005.jpg', 2)
      await page.getByTestId('add-keyframe-sample').click()
      await page.getByTestId('keyframe-seed-input').fill('7')
      await page.getByTestId('keyframe-add-confirm').click()
      await expect
        .poll(() => page.getByTestId('keyframe-item').count(), { timeout: 60_000 })
        .toBe(3)
      const labels = await page
        .getByTestId('keyframe-item')
        .evaluateAll((els) => els.map((el) => el.getAttribute('data-label')))
      expect(labels[0]).toContain('000002')
      expect(labels[1]).toContain('000005')

      // Segments: 6 eased frames, then 8 straight ones; played once.
      await page.getByTestId('segment-frames-0').fill('6')
      await page.getByTestId('segment-ease-0').selectOption('ease-in-out')
      await page.getByTestId('segment-frames-1').fill('8')
      await page.getByTestId('segment-interp-1').selectOption('lerp')
      await page.getByTestId('loop-mode-select').selectOption('once')
      const scrubber = page.getByTestId('timeline-scrubber')
      await expect.poll(() => scrubber.getAttribute('data-frames')).toBe('15')

      // The first face appears at the playhead.
      const image = page.getByTestId('morph-frame-image')
      await image.waitFor({ timeout: 60_000 })
      expect(await image.getAttribute('src')).toMatch(/^data:image\/png;base64,/)

      // Drag across the strip and record every face the page shows on the way.
      await page.evaluate(() => {
        const seen: string[] = []
        ;(window as unknown as { seenPositions: string[] }).seenPositions = seen
        const img = document.querySelector('[data-testid="morph-frame-image"]')
        if (!img) throw new Error('no frame image')
        new MutationObserver(() => seen.push(img.getAttribute('data-position') ?? '')).observe(
          img,
          { attributes: true, attributeFilter: ['data-position'] },
        )
      })
      const box = await scrubber.boundingBox()
      if (!box) throw new Error('the scrubber has no box')
      const y = box.y + box.height / 2
      await page.mouse.move(box.x + 4, y)
      await page.mouse.down()
      for (let i = 1; i <= 24; i++) {
        await page.mouse.move(box.x + 4 + (i / 24) * (box.width + 20), y, { steps: 2 })
        await page.waitForTimeout(40)
      }
      await page.mouse.up()
      expect(await scrubber.getAttribute('aria-valuenow')).toBe('14')
      // Latest wins: the last reply shown is the end of the drag, whatever was skipped on the way.
      await expect.poll(() => image.getAttribute('data-position'), { timeout: 30_000 }).toBe('14')
      const seen = (
        await page.evaluate(() => (window as unknown as { seenPositions: string[] }).seenPositions)
      ).map(Number)
      expect(new Set(seen).size).toBeGreaterThanOrEqual(3)
      // Replies arrive in the order they were asked, and a left-to-right drag only moves right.
      for (let i = 1; i < seen.length; i++) {
        expect(seen[i]).toBeGreaterThan(seen[i - 1] as number)
      }

      // Playback from the start shows frames at a measured rate.
      await page.keyboard.press('Home')
      await expect.poll(() => image.getAttribute('data-position'), { timeout: 30_000 }).toBe('0')
      await page.getByTestId('play-button').click()
      await expect
        .poll(async () => Number(await page.getByTestId('play-fps').getAttribute('data-fps')), {
          timeout: 30_000,
        })
        .toBeGreaterThan(0)

      // Saved under a name, it is in the project's list.
      await page.getByTestId('timeline-name-input').fill('two faces and a sample')
      await page.getByTestId('save-timeline-button').click()
      const saved = page.getByTestId('timeline-list-item')
      await expect.poll(() => saved.count(), { timeout: 30_000 }).toBe(1)
      expect(await saved.first().getAttribute('data-name')).toBe('two faces and a sample')
      const stored = await serve!.call<MethodOutput<'timelines.get'>>('timelines.get', {
        id: Number(await saved.first().getAttribute('data-id')),
      })
      expect(stored.timeline.segments.map((s) => [s.frames, s.interpolation, s.easing])).toEqual([
        [6, 'slerp', 'ease-in-out'],
        [8, 'lerp', 'linear'],
      ])
      expect(stored.sources.map((s) => s.kind)).toEqual(['image', 'image', 'sample'])

      // A fresh timeline, then the saved one reopens as it was.
      await page.getByTestId('new-timeline-button').click()
      await expect.poll(() => page.getByTestId('keyframe-item').count()).toBe(0)
      await saved.first().getByTestId('timeline-open-button').click()
      await expect.poll(() => page.getByTestId('keyframe-item').count()).toBe(3)
      expect(await page.getByTestId('segment-frames-0').inputValue()).toBe('6')
      expect(await page.getByTestId('segment-interp-1').inputValue()).toBe('lerp')
      expect(await page.getByTestId('segment-ease-0').inputValue()).toBe('ease-in-out')
      await expect.poll(() => scrubber.getAttribute('data-frames')).toBe('15')

      // Export a GIF: the expected size shows first, then progress, then the file.
      const out = join(studio.projectDir, 'exports', 'morph.gif')
      await page.getByTestId('export-format-select').selectOption('gif')
      await page.getByTestId('export-size-input').fill('96')
      await page.getByTestId('export-path-input').fill('morph.gif')
      const estimate = page.getByTestId('export-estimate')
      // The estimate follows the options (debounced): wait for the one made for 96 px GIF.
      await expect
        .poll(
          async () =>
            `${await estimate.getAttribute('data-format')} ${await estimate.getAttribute('data-size')}`,
          { timeout: 60_000 },
        )
        .toBe('gif 96')
      expect(Number(await estimate.getAttribute('data-bytes'))).toBeGreaterThan(0)
      await page.getByTestId('export-button').click()
      const result = page.getByTestId('export-result')
      await result.waitFor({ timeout: 180_000 })
      expect(await result.getAttribute('data-status')).toBe('done')
      expect(await result.getAttribute('data-file')).toBe(out)
      // Serve mode hands the file over as a download from the exports folder.
      const link = page.getByTestId('export-download-link')
      const download = await page.request.get(
        new URL(String(await link.getAttribute('href')), studio.serve.origin).href,
      )
      expect(download.status()).toBe(200)
      expect((await download.body()).equals(readFileSync(out))).toBe(true)

      expect(existsSync(out)).toBe(true)
      const bytes = readFileSync(out)
      expect(bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a')
      const reader = new omggif.GifReader(bytes)
      const timeline = parseTimeline(stored.timeline)
      // No holds, so every scheduled frame is one GIF frame.
      expect(scheduleDelays(timeline)).toHaveLength(scheduleFrames(timeline).length)
      expect(reader.numFrames()).toBe(scheduleDelays(timeline).length)
      expect(reader.width).toBe(96)
      const estimated = Number(await estimate.getAttribute('data-bytes'))
      expect(bytes.length / estimated).toBeGreaterThan(0.25)
      expect(bytes.length / estimated).toBeLessThan(4)

      mkdirSync(join(repoRoot, 'test-output'), { recursive: true })
      await page.screenshot({ path: join(repoRoot, 'test-output', 'morph.png') })
      expect(pageErrors).toEqual([])
      expect(await page.getByTestId('error-banner').count()).toBe(0)
    },
  )
})
