import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { psnr } from '../../src/main/export/quality'
import type { MethodOutput } from '../../src/shared/contract'
import type { RunningServe } from '../support/serveHarness'
import { repoRoot } from '../support/sharedData'
import { studioOnProject } from '../support/studioOnProject'

const BACKEND_ORDER = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']

describe('the Training screen', () => {
  const studio = studioOnProject('training-browser-', {}, { width: 1440, height: 1240 })
  let serve: RunningServe | undefined
  let page: Page
  let pageErrors: string[] = []

  beforeAll(() => {
    ;({ serve, page, pageErrors } = studio)
  })

  it(
    'trains a run live, shows its curves and faces, and stops it',
    { timeout: 300_000 },
    async () => {
      await page.getByTestId('nav-training').click()
      const start = page.getByTestId('train-start-button')
      await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true)

      await page.getByTestId('train-preset-select').selectOption('classic-64')
      await page.getByTestId('train-steps-input').fill('40')
      await page.getByTestId('train-seed-input').fill('5')
      await page.getByTestId('train-backend-select').selectOption('auto')
      await page.getByTestId('train-advanced-toggle').click()
      await page.getByTestId('train-preview-input').fill('5')
      await start.click()

      // The run appears in the history and the controls follow its state.
      const row = page.getByTestId('run-row').first()
      await row.waitFor({ timeout: 60_000 })
      const runId = Number(await row.getAttribute('data-run-id'))
      expect(runId).toBeGreaterThan(0)
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="run-row"]')?.getAttribute('data-status') ===
          'running',
        undefined,
        { timeout: 120_000 },
      )
      expect(await start.isEnabled()).toBe(false)
      expect(await page.getByTestId('train-stop-button').isEnabled()).toBe(true)
      expect(await page.getByTestId('train-resume-button').isEnabled()).toBe(false)

      // Pause holds the run and offers resume; resume lets it go on.
      await page.getByTestId('train-pause-button').click()
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('paused')
      expect(await page.getByTestId('train-pause-button').isEnabled()).toBe(false)
      await page.getByTestId('train-resume-button').click()
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('running')

      // Live steps reach the chart, and a reconstruction grid arrives with its step.
      const chart = page.getByTestId('loss-chart')
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points'),
          ) >= 10 &&
          Number(
            document.querySelector('[data-testid="recon-preview"]')?.getAttribute('data-step'),
          ) > 0,
        undefined,
        { timeout: 180_000, polling: 250 },
      )
      const pointsSeen = Number(await chart.getAttribute('data-points'))
      expect(pointsSeen).toBeGreaterThanOrEqual(10)
      expect(Number(await chart.getAttribute('data-drawn'))).toBeGreaterThan(0)
      expect(await page.locator('[data-testid="loss-chart"] path.line.main').count()).toBe(3)
      const preview = page.getByTestId('recon-preview')
      expect(Number(await preview.getAttribute('data-step')) % 5).toBe(0)
      expect(await preview.getAttribute('src')).toMatch(/^data:image\/png;base64,/)
      expect(await preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
      expect(await page.getByTestId('train-rate').textContent()).toMatch(/\d.* img\/s/)
      expect(await page.getByTestId('train-eta').textContent()).toMatch(/^\d+:\d\d/)

      // The badge names the backend the host chose, and why it passed over the faster ones.
      const active = await serve!.call<MethodOutput<'training.active'>>('training.active', {})
      expect(active?.id).toBe(runId)
      const backend = active?.backend ?? ''
      expect(BACKEND_ORDER).toContain(backend)
      const badge = page.getByTestId('backend-badge')
      expect((await badge.textContent())?.trim()).toBe(backend)
      expect(active?.skippedBackends.map((s) => s.name)).toEqual(
        BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(backend)),
      )
      const tooltip = (await badge.getAttribute('title')) ?? ''
      const lines = tooltip.split('\n')
      expect(lines[0]).toMatch(new RegExp(`^Training on ${backend}\\.`))
      expect(lines.slice(2)).toEqual(
        (active?.skippedBackends ?? []).map((s) => `• ${s.name}: ${s.reason}`),
      )

      mkdirSync(join(repoRoot, 'test-output'), { recursive: true })
      await page.screenshot({ path: join(repoRoot, 'test-output', 'training.png') })

      await page.getByTestId('train-stop-button').click()
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 120_000 }).toBe('stopped')
      await expect.poll(() => start.isEnabled(), { timeout: 10_000 }).toBe(true)
      expect(await page.getByTestId('train-stop-button').isEnabled()).toBe(false)
      expect(await page.getByTestId('train-pause-button').isEnabled()).toBe(false)

      // The host recorded it: stopped at its checkpoint, with every step the page plotted.
      const runs = await serve!.call<MethodOutput<'runs.list'>>('runs.list', {})
      const stored = runs.find((r) => r.id === runId)
      expect(stored?.status).toBe('stopped')
      expect(stored?.stepsDone).toBeGreaterThan(0)
      expect(stored?.targetSteps).toBe(40)
      const metrics = await serve!.call<MethodOutput<'runs.metrics'>>('runs.metrics', { runId })
      expect(metrics.steps.length).toBeGreaterThanOrEqual(pointsSeen)
      expect(metrics.steps.every((s) => Number.isFinite(s.total) && s.total > 0)).toBe(true)
      // After the stop the page fills in whatever the events did not bring.
      await expect
        .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 10_000 })
        .toBe(metrics.steps.length)
      await page.screenshot({ path: join(repoRoot, 'test-output', 'training-stopped.png') })

      // The history offers to continue the stopped run from its checkpoint; it trains on from there.
      const resumeRun = page.getByTestId('run-resume-button')
      expect(await resumeRun.count()).toBe(1)
      await resumeRun.click()
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 120_000 }).toBe('running')
      await page.waitForFunction(
        (before) =>
          Number(
            document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points'),
          ) >=
          before + 2,
        metrics.steps.length,
        { timeout: 120_000, polling: 250 },
      )
      await page.getByTestId('train-stop-button').click()
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 120_000 }).toBe('stopped')
      const resumed = (await serve!.call<MethodOutput<'runs.list'>>('runs.list', {})).find(
        (r) => r.id === runId,
      )
      expect(resumed?.stepsDone).toBeGreaterThan(stored?.stepsDone ?? Infinity)
      expect(await page.getByTestId('run-row').count()).toBe(1)
      expect(pageErrors).toEqual([])
      expect(await page.getByTestId('error-banner').count()).toBe(0)
    },
  )

  it(
    'runs a short second run to the end and overlays the first on its chart',
    { timeout: 300_000 },
    async () => {
      await page.getByTestId('train-steps-input').fill('6')
      await page.getByTestId('train-backend-select').selectOption('wasm')
      await page.getByTestId('train-start-button').click()
      const newest = page.locator('[data-testid="run-row"]').first()
      await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 60_000 }).toBe(2)
      const runId = Number(await newest.getAttribute('data-run-id'))
      await expect
        .poll(() => newest.getAttribute('data-status'), { timeout: 180_000 })
        .toBe('finished')
      const finished = (await serve!.call<MethodOutput<'runs.list'>>('runs.list', {})).find(
        (r) => r.id === runId,
      )
      expect(finished?.stepsDone).toBe(6)
      expect(finished?.backend).toBe('wasm')
      expect(finished?.testPsnr).toBeGreaterThan(0)
      await expect.poll(() => newest.textContent()).toMatch(/\d+\.\d\d dB/)
      // Its test quality is stored with it and shown in the history.
      expect(finished?.quality?.ssim).toBeGreaterThan(0)
      // A count of classic-64's 128 latent units.
      expect(finished?.quality?.activeUnits).toSatisfy(
        (n: number) => Number.isInteger(n) && n >= 0 && n <= 128,
      )
      await expect
        .poll(() => newest.getByTestId('run-quality').textContent())
        .toMatch(/^SSIM \d\.\d{3} · sharp \d+\.\d\d$/)
      // A finished run cannot be resumed; the stopped one still can.
      expect(await newest.getByTestId('run-resume-button').count()).toBe(0)
      expect(await page.getByTestId('run-resume-button').count()).toBe(1)

      const chart = page.getByTestId('loss-chart')
      await expect.poll(() => chart.getAttribute('data-points')).toBe('6')
      await page.getByRole('checkbox', { name: `Overlay run ${runId - 1}` }).check()
      await expect
        .poll(() => page.locator('[data-testid="loss-chart"] path.line.overlay').count())
        .toBe(3)
      // The main run's count is still its own.
      expect(await chart.getAttribute('data-points')).toBe('6')

      // The shown run against the overlaid one, on the same validation faces.
      await page.getByTestId('compare-run').click()
      const figures = page.getByTestId('compare-figures')
      await figures.waitFor({ timeout: 120_000 })
      expect(
        await figures.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.run)),
      ).toEqual([String(runId), String(runId - 1)])
      const comparison = await serve!.call<MethodOutput<'runs.compare'>>('runs.compare', {
        runIds: [runId, runId - 1],
      })
      expect(comparison.imageIds).toHaveLength(8)
      const swapped = await serve!.call<MethodOutput<'runs.compare'>>('runs.compare', {
        runIds: [runId - 1, runId],
      })
      expect(swapped.imageIds).toEqual(comparison.imageIds)
      expect(swapped.runs.map((r) => r.psnr)).toEqual(comparison.runs.map((r) => r.psnr).reverse())
      // The figure is what the figures measure: faces on top, then each run's reconstructions.
      const { data, info } = await sharp(
        Buffer.from(comparison.image.replace(/^data:image\/png;base64,/, ''), 'base64'),
      )
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true })
      expect([info.width, info.height]).toEqual([8 * 64, 3 * 64])
      const row = (r: number) =>
        data.subarray(r * 64 * info.width * 3, (r + 1) * 64 * info.width * 3)
      for (const [i, run] of comparison.runs.entries()) {
        expect(psnr(row(0), row(i + 1))).toBeCloseTo(run.psnr, 6)
        await expect
          .poll(() =>
            figures
              .locator(`tr[data-run="${run.runId}"] [data-testid="compare-psnr"]`)
              .textContent(),
          )
          .toBe(`${run.psnr.toFixed(2)} dB`)
      }
      expect(comparison.runs[0]?.psnr).not.toBe(comparison.runs[1]?.psnr)
      await page.screenshot({ path: join(repoRoot, 'test-output', 'training-overlay.png') })
      expect(pageErrors).toEqual([])
      expect(await page.getByTestId('error-banner').count()).toBe(0)
    },
  )
})
