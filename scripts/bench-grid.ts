/**
 * The dataset screen at CelebA's full size: ingests 202,599 images (hard links to the 32 real
 * photos of ../shared/celeba-sample, see lib/celebaReplica) into a fresh project at 64×64 — which is
 * also the full-CelebA ingest time — then opens the Dataset screen in serve mode in Debian's Chromium
 * and measures the virtualized thumbnail grid: frame times while it scrolls (a steady fast scroll,
 * then mouse-wheel bursts), how many cells the DOM holds, how long the visible thumbnails take to
 * arrive after scrolling stops and after a jump to the middle, and how long an attribute filter
 * takes to recount the grid. Usage:
 *   npm run bench:grid [-- --images N] [--seconds S] [--no-build] [--json]
 */
import { mkdirSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { build } from 'vite'
import { ingestDataset } from '../src/main/dataset/ingest'
import { queryImages } from '../src/main/dataset/queries'
import { openProjectFolder } from '../src/main/store/projectFolder'
import { openStudioPage } from '../test/support/browser'
import { startServe } from '../test/support/serveHarness'
import { repoRoot } from '../test/support/sharedData'
import { makeTempDir } from '../test/support/tempDir'
import { buildCelebaReplica } from './lib/celebaReplica'
import { percentile } from './lib/percentile'
import { arg, args, json, log, sleep } from './lib/benchCli'

const IMAGES = arg('--images', 202_599)
const SECONDS = arg('--seconds', 4)
/** A fast, steady scroll: about 60 rows of thumbnails per second. */
const SCROLL_PX_PER_SECOND = 7000

/** In-page recorder: rAF deltas and the largest number of grid cells in the DOM. */
const RECORDER = `(() => {
  const b = { recording: false, frames: [], last: 0, maxCells: 0 }
  const loop = (t) => {
    if (b.recording) {
      if (b.last) b.frames.push(t - b.last)
      b.maxCells = Math.max(b.maxCells, document.querySelectorAll('[data-testid="grid-cell"]').length)
    }
    b.last = t
    requestAnimationFrame(loop)
  }
  requestAnimationFrame(loop)
  window.__bench = b
})()`

/** Visible cells whose thumbnail has loaded, of those visible. */
const VISIBLE_LOADED = `(() => {
  const grid = document.querySelector('[data-testid="thumbnail-grid"]').getBoundingClientRect()
  let visible = 0, loaded = 0
  for (const cell of document.querySelectorAll('[data-testid="grid-cell"]')) {
    const r = cell.getBoundingClientRect()
    if (r.bottom < grid.top || r.top > grid.bottom) continue
    visible++
    const img = cell.querySelector('img')
    if (img && img.complete && img.naturalWidth > 0) loaded++
  }
  return { visible, loaded }
})()`

async function recordFrames(page: Page, drive: () => Promise<void>): Promise<number[]> {
  await page.evaluate('window.__bench.frames = []; window.__bench.recording = true')
  await drive()
  return (await page.evaluate(
    '(() => { window.__bench.recording = false; return window.__bench.frames })()',
  )) as number[]
}

/** Milliseconds until every visible cell shows its thumbnail. */
async function timeToThumbnails(page: Page, since: number): Promise<number> {
  const until = Date.now() + 60_000
  while (Date.now() < until) {
    const { visible, loaded } = (await page.evaluate(VISIBLE_LOADED)) as {
      visible: number
      loaded: number
    }
    if (visible > 0 && loaded === visible) return Date.now() - since
    await sleep(20)
  }
  throw new Error('the visible thumbnails did not load within 60 s')
}

function frameFigures(frames: number[]): Record<string, number | null> {
  return {
    frames: frames.length,
    p50: percentile(frames, 50),
    p95: percentile(frames, 95),
    max: percentile(frames, 100),
  }
}

async function ingestReplica(dir: string): Promise<{ projectDir: string; seconds: number }> {
  const datasetDir = join(dir, 'celeba')
  log(`linking ${IMAGES.toLocaleString('en')} images (the 32 sample photos) into ${datasetDir}`)
  buildCelebaReplica(datasetDir, IMAGES)
  const projectDir = join(dir, 'project')
  const { paths, db } = openProjectFolder(projectDir)
  const start = performance.now()
  const cpu = process.cpuUsage()
  const result = await ingestDataset(db, paths, datasetDir, { size: 64 })
  const seconds = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  db.close()
  if (result.images !== IMAGES) throw new Error(`ingested ${result.images} of ${IMAGES} images`)
  log(
    `ingest of ${IMAGES.toLocaleString('en')} images → 64×64: ${seconds.toFixed(1)} s, ` +
      `${Math.round(IMAGES / seconds)} images/s (${availableParallelism()} cores, ` +
      `${((used.user + used.system) / 1000 / IMAGES).toFixed(2)} ms CPU per image in this process)`,
  )
  return { projectDir, seconds }
}

function smilingCount(projectDir: string): number {
  const { db } = openProjectFolder(projectDir)
  try {
    return queryImages(db, { filters: [{ attribute: 'Smiling', value: 1 }], offset: 0, limit: 1 })
      .total
  } finally {
    db.close()
  }
}

const temp = makeTempDir('bench-grid-')
try {
  if (!args.includes('--no-build')) {
    log('building the renderer…')
    await build({ configFile: join(repoRoot, 'vite.renderer.config.ts'), logLevel: 'warn' })
  }
  const { projectDir, seconds: ingestSeconds } = await ingestReplica(temp.dir)
  const expectedSmiling = smilingCount(projectDir)
  const serve = await startServe({ projectDir, home: join(temp.dir, 'home') })
  const { browser, page, pageErrors } = await openStudioPage(serve.url)
  try {
    await page.getByTestId('nav-dataset').click({ timeout: 60_000 })
    const count = page.getByTestId('grid-count')
    const opened = Date.now()
    while ((await count.textContent().catch(() => null)) !== String(IMAGES)) {
      if (Date.now() - opened > 120_000) throw new Error(`the grid never counted ${IMAGES} images`)
      await sleep(50)
    }
    const firstThumbnailsMs = await timeToThumbnails(page, opened)
    await page.evaluate(RECORDER)
    const grid = page.getByTestId('thumbnail-grid')

    const steady = await recordFrames(page, async () => {
      await page.evaluate(
        `new Promise((done) => {
          const grid = document.querySelector('[data-testid="thumbnail-grid"]')
          const end = performance.now() + ${SECONDS * 1000}
          let last = performance.now()
          const step = (t) => {
            grid.scrollTop += (${SCROLL_PX_PER_SECOND} * (t - last)) / 1000
            last = t
            if (t < end) requestAnimationFrame(step)
            else done()
          }
          requestAnimationFrame(step)
        })`,
      )
    })
    const afterSteady = await timeToThumbnails(page, Date.now())

    const box = await grid.boundingBox()
    if (!box) throw new Error('the grid has no box')
    const wheel = await recordFrames(page, async () => {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
      const end = Date.now() + SECONDS * 1000
      while (Date.now() < end) {
        for (let i = 0; i < 10; i++) {
          await page.mouse.wheel(0, 600)
          await sleep(16)
        }
        await sleep(150)
      }
    })
    const afterWheel = await timeToThumbnails(page, Date.now())

    const jumpStart = Date.now()
    await page.evaluate(
      `(() => { const g = document.querySelector('[data-testid="thumbnail-grid"]'); g.scrollTop = g.scrollHeight / 2 })()`,
    )
    const afterJump = await timeToThumbnails(page, jumpStart)

    const filterStart = Date.now()
    await page.getByTestId('attribute-filter-Smiling').click()
    while ((await count.textContent().catch(() => null)) !== String(expectedSmiling)) {
      if (Date.now() - filterStart > 60_000) throw new Error('the Smiling filter never applied')
      await sleep(10)
    }
    const filterMs = Date.now() - filterStart
    const filteredThumbnailsMs = await timeToThumbnails(page, filterStart)
    const maxCells = (await page.evaluate('window.__bench.maxCells')) as number

    mkdirSync(join(repoRoot, 'test-output'), { recursive: true })
    await page.screenshot({ path: join(repoRoot, 'test-output', 'bench-grid.png') })
    const steadyFigures = frameFigures(steady)
    const wheelFigures = frameFigures(wheel)
    const result = {
      images: IMAGES,
      ingestSeconds: Math.round(ingestSeconds * 10) / 10,
      ingestImagesPerSecond: Math.round(IMAGES / ingestSeconds),
      firstThumbnailsMs,
      scrollFrames: steadyFigures.frames,
      scrollFrameP50Ms: steadyFigures.p50,
      scrollFrameP95Ms: steadyFigures.p95,
      scrollFrameMaxMs: steadyFigures.max,
      wheelFrames: wheelFigures.frames,
      wheelFrameP50Ms: wheelFigures.p50,
      wheelFrameP95Ms: wheelFigures.p95,
      wheelFrameMaxMs: wheelFigures.max,
      maxCellsInDom: maxCells,
      thumbnailsAfterScrollMs: afterSteady,
      thumbnailsAfterWheelMs: afterWheel,
      thumbnailsAfterJumpMs: afterJump,
      smilingFilterMs: filterMs,
      smilingFilterThumbnailsMs: filteredThumbnailsMs,
      smilingMatches: expectedSmiling,
      pageErrors: pageErrors.length,
      loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    }
    if (!json) {
      log(`grid counted ${IMAGES} images; first thumbnails after ${firstThumbnailsMs} ms`)
      log(
        `steady scroll at ${SCROLL_PX_PER_SECOND} px/s: ${result.scrollFrames} frames, p50 ${result.scrollFrameP50Ms} ms, ` +
          `p95 ${result.scrollFrameP95Ms} ms, max ${result.scrollFrameMaxMs} ms; thumbnails ${afterSteady} ms after it stops`,
      )
      log(
        `wheel bursts: ${result.wheelFrames} frames, p50 ${result.wheelFrameP50Ms} ms, p95 ${result.wheelFrameP95Ms} ms, ` +
          `max ${result.wheelFrameMaxMs} ms; thumbnails ${afterWheel} ms after; at most ${maxCells} cells in the DOM`,
      )
      log(`jump to the middle: thumbnails in ${afterJump} ms`)
      log(
        `filter Smiling ✓ over ${IMAGES} rows: count ${expectedSmiling} in ${filterMs} ms, thumbnails in ${filteredThumbnailsMs} ms`,
      )
    }
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } finally {
    await browser.close()
    await serve.stop()
  }
} finally {
  temp.cleanup()
}
