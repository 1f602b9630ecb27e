/**
 * Drawing speed of the Explore screen's latent map at CelebA's full size (202,599 points), in the
 * real page: serve mode in its own process and Debian's Chromium (headless, software rendering).
 *
 * What is real and what is synthetic: the project is made as a user would (synth → ingest → a short
 * train → encode, 160 faces), so the screen, its run, model and statistics are real. The map is not:
 * 202,599 t-SNE-like 2-D points (seeded Gaussian blobs) are written into the run's analysis cache
 * under the fingerprint of its real latents, as if `latent.map` had computed them; the image rows
 * beyond the 160 ingested ones are placeholder rows (no files) whose Smiling label is drawn at
 * CelebA's rate (48 % positive), so colouring has three real classes. Their hover thumbnails 404;
 * hover latency is measured to the floating face's appearance, not to its picture. The real faces
 * sit in a small cluster of their own, so a view zoomed in there shows real thumbnails.
 *
 * Then it opens Explore, waits for the screen's statistics and samples, shows the t-SNE map (time to
 * first draw counts from choosing it to the canvas holding every point) and drives wheel zoom and
 * drag pan for a few seconds, uncoloured and coloured by Smiling, while the page records
 * requestAnimationFrame deltas and each redraw's own time (the canvas's data-draw-ms). Then times
 * lasso selections over the whole map (lassoMs: the page's own answer time) and pans a view zoomed
 * in on the real faces, drawn as thumbnails (thumbnailPanFrameP95Ms). Prints p50/p95/max frame
 * time, time to first draw, hover latency, lasso time and thumbnail-mode frame times. Usage: npm run bench:scatter [-- --json] [--points N] [--seconds S] [--no-build]
 */
import { mkdirSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { build } from 'vite'
import { openStudioPage } from '../test/support/browser'
import { prepareProject } from '../test/support/cli'
import { startServe } from '../test/support/serveHarness'
import { seedScatterMap } from '../test/support/scatterMap'
import { repoRoot } from '../test/support/sharedData'
import { makeTempDir } from '../test/support/tempDir'
import { arg, args, json, log, sleep } from './lib/benchCli'
import { percentile } from './lib/percentile'

const POINTS = arg('--points', 202_599)
const SECONDS = arg('--seconds', 4)

/** In-page recorder: rAF deltas, redraw times, first full draw and hover latency. */
const RECORDER = `(() => {
  const canvas = document.querySelector('[data-testid="map-canvas"]')
  const map = canvas.parentElement
  const b = { recording: false, frames: [], draws: [], hover: [], last: 0, lastDraws: null,
    target: 0, armedAt: 0, firstDrawMs: null, lastMove: 0, hoverId: null }
  const loop = (t) => {
    if (b.recording && b.last) b.frames.push(t - b.last)
    b.last = t
    requestAnimationFrame(loop)
  }
  requestAnimationFrame(loop)
  new MutationObserver(() => {
    const draws = canvas.dataset.draws ?? null
    if (b.recording && draws !== null && draws !== b.lastDraws) b.draws.push(Number(canvas.dataset.drawMs))
    b.lastDraws = draws
    if (b.firstDrawMs === null && b.target > 0 && Number(canvas.dataset.points) === b.target)
      b.firstDrawMs = performance.now() - b.armedAt
  }).observe(canvas, { attributes: true })
  document.addEventListener('mousemove', (e) => { b.lastMove = e.timeStamp }, true)
  new MutationObserver(() => {
    const face = map.querySelector('[data-testid="map-hover-face"]')
    const id = face ? face.dataset.imageId : null
    if (id && id !== b.hoverId && b.lastMove) {
      const moved = b.lastMove
      b.lastMove = 0
      requestAnimationFrame(() => b.hover.push(performance.now() - moved))
    }
    b.hoverId = id
  }).observe(map, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-image-id'] })
  window.__bench = b
})()`

async function canvasBox(page: Page): Promise<{ x: number; y: number; w: number; h: number }> {
  const box = await page.getByTestId('map-canvas').boundingBox()
  if (!box) throw new Error('the map canvas has no box')
  return { x: box.x, y: box.y, w: box.width, h: box.height }
}

function startRecording(page: Page): Promise<unknown> {
  return page.evaluate(
    'window.__bench.frames = []; window.__bench.draws = []; window.__bench.recording = true',
  )
}

async function stopRecording(page: Page): Promise<{ frames: number[]; draws: number[] }> {
  return (await page.evaluate(
    '(() => { const b = window.__bench; b.recording = false; return { frames: b.frames, draws: b.draws } })()',
  )) as { frames: number[]; draws: number[] }
}

/** Wheel zoom and drag pan around the middle of the plot for `seconds`; the recorder runs meanwhile. */
async function interact(
  page: Page,
  seconds: number,
): Promise<{ frames: number[]; draws: number[] }> {
  const box = await canvasBox(page)
  const cx = box.x + box.w * 0.5
  const cy = box.y + box.h * 0.5
  await startRecording(page)
  const end = Date.now() + seconds * 1000
  let round = 0
  while (Date.now() < end) {
    const dir = round++ % 2 === 0 ? -1 : 1
    await page.mouse.move(cx, cy)
    for (let i = 0; i < 6; i++) {
      await page.mouse.wheel(0, dir * 120)
      await sleep(16)
    }
    await page.mouse.down()
    for (let s = 1; s <= 24; s++) {
      await page.mouse.move(cx + dir * s * 8, cy + dir * s * 5)
      await sleep(8)
    }
    await page.mouse.up()
  }
  await sleep(200)
  return stopRecording(page)
}

/** Moves the pointer over the densest part of the plot and times each new hover face. */
async function hoverLatency(page: Page): Promise<number[]> {
  await page
    .getByRole('button', { name: 'Reset view' })
    .click({ timeout: 2000 })
    .catch(() => {})
  await sleep(300)
  const box = await canvasBox(page)
  await page.evaluate('window.__bench.hover = []')
  for (let i = 0; i < 40; i++) {
    const x = box.x + box.w * (0.2 + 0.6 * ((i * 0.618) % 1))
    const y = box.y + box.h * (0.2 + 0.6 * ((i * 0.382) % 1))
    await page.mouse.move(x, y)
    await sleep(120)
  }
  return (await page.evaluate('window.__bench.hover')) as number[]
}

/**
 * Lasso selections over the whole unzoomed map (a 48-vertex ring around the middle, then smaller
 * ones): the page's own time to answer each (the canvas's data-select-ms), ms.
 */
async function lassoTimes(page: Page): Promise<number[]> {
  const canvas = page.getByTestId('map-canvas')
  await page
    .getByRole('button', { name: 'Reset view' })
    .click({ timeout: 2000 })
    .catch(() => {})
  await page.getByTestId('map-tool-lasso').click()
  const box = await canvasBox(page)
  const times: number[] = []
  for (const radius of [0.45, 0.35, 0.25, 0.4, 0.3]) {
    const before = await canvas.getAttribute('data-selected')
    await page.mouse.move(box.x + box.w / 2 + radius * box.h, box.y + box.h / 2)
    await page.mouse.down()
    for (let k = 1; k <= 48; k++) {
      const a = (2 * Math.PI * k) / 48
      await page.mouse.move(
        box.x + box.w / 2 + radius * box.h * Math.cos(a),
        box.y + box.h / 2 + radius * box.h * Math.sin(a),
      )
    }
    await page.mouse.up()
    const until = Date.now() + 10_000
    while ((await canvas.getAttribute('data-selected')) === before && Date.now() < until)
      await sleep(20)
    times.push(Number(await canvas.getAttribute('data-select-ms')))
  }
  await page.getByTestId('map-tool-pan').click()
  return times
}

/**
 * Thumbnail mode: jumps to a real face (the real faces sit in a small cluster of their own), which
 * zooms in until a few hundred points are in view and their faces are drawn, then pans to and fro
 * around it while the recorder runs.
 */
async function thumbnailPan(
  page: Page,
  seconds: number,
): Promise<{ frames: number[]; draws: number[]; thumbnails: number }> {
  const canvas = page.getByTestId('map-canvas')
  await page.getByTestId('map-find-input').fill('1')
  await page.getByTestId('map-find-input').press('Enter')
  const until = Date.now() + 30_000
  while (Number(await canvas.getAttribute('data-thumbnails')) < 20 && Date.now() < until)
    await sleep(50)
  const thumbnails = Number(await canvas.getAttribute('data-thumbnails'))
  const box = await canvasBox(page)
  const cx = box.x + box.w * 0.5
  const cy = box.y + box.h * 0.5
  await startRecording(page)
  const end = Date.now() + seconds * 1000
  let round = 0
  while (Date.now() < end) {
    const dir = round++ % 2 === 0 ? -1 : 1
    await page.mouse.move(cx, cy)
    await page.mouse.down()
    for (let s = 1; s <= 20; s++) {
      await page.mouse.move(cx + dir * s * 6, cy + dir * s * 3)
      await sleep(8)
    }
    for (let s = 19; s >= 0; s--) {
      await page.mouse.move(cx + dir * s * 6, cy + dir * s * 3)
      await sleep(8)
    }
    await page.mouse.up()
  }
  await sleep(200)
  const run = await stopRecording(page)
  return { ...run, thumbnails }
}

function summarise(
  prefix: string,
  run: { frames: number[]; draws: number[] },
): Record<string, number | null> {
  const key = (name: string): string =>
    prefix ? `${prefix}${(name[0] as string).toUpperCase()}${name.slice(1)}` : name
  return {
    [key('frames')]: run.frames.length,
    [key('frameP50Ms')]: percentile(run.frames, 50),
    [key('frameP95Ms')]: percentile(run.frames, 95),
    [key('frameMaxMs')]: percentile(run.frames, 100),
    [key('redraws')]: run.draws.length,
    [key('drawP50Ms')]: percentile(run.draws, 50),
    [key('drawP95Ms')]: percentile(run.draws, 95),
    [key('drawMaxMs')]: percentile(run.draws, 100),
  }
}

const temp = makeTempDir('bench-scatter-')
try {
  if (!args.includes('--no-build')) {
    log('building the renderer…')
    await build({ configFile: join(repoRoot, 'vite.renderer.config.ts'), logLevel: 'warn' })
  }
  log('preparing a project (synth 160 → ingest → train 2 steps → encode)…')
  const { projectDir } = await prepareProject(temp.dir, { count: 160, trainSteps: 2, encode: true })
  const { realFaces } = seedScatterMap(projectDir, { points: POINTS })
  log(`wrote a synthetic ${POINTS}-point t-SNE map (${realFaces.length} real faces among them)`)
  const serve = await startServe({ projectDir, home: join(temp.dir, 'home') })
  const { browser, page, pageErrors } = await openStudioPage(serve.url)
  try {
    await page.getByTestId('nav-explore').click({ timeout: 60_000 })
    await page.getByTestId('map-canvas').waitFor({ timeout: 60_000 })
    // Let the screen's own first requests (statistics, prior samples) finish before timing the map.
    await page
      .locator('[data-testid="samples-grid"][data-count="16"]')
      .waitFor({ timeout: 120_000 })
    await page.getByTestId('histogram-panel').waitFor({ timeout: 120_000 })
    await sleep(500)
    await page.evaluate(RECORDER)
    await page.evaluate(
      `window.__bench.target = ${POINTS}; window.__bench.armedAt = performance.now()`,
    )
    await page.getByTestId('map-method-select').selectOption('tsne')
    const until = Date.now() + 120_000
    let first: number | null = null
    while (first === null && Date.now() < until) {
      await sleep(50)
      first = (await page.evaluate('window.__bench.firstDrawMs')) as number | null
    }
    if (first === null) throw new Error(`the map did not draw ${POINTS} points within 120 s`)
    // How much of that the host spends answering latent.mapResult (over HTTP, as a second client).
    const asked = performance.now()
    await serve.call('latent.mapResult', { method: 'tsne' })
    const hostMapResultMs = Math.round(performance.now() - asked)
    await sleep(1000)
    const plain = await interact(page, SECONDS)
    const hover = await hoverLatency(page)
    await page.getByTestId('map-color-select').selectOption('Smiling')
    await page.getByTestId('map-legend').waitFor({ timeout: 60_000 })
    await sleep(1000)
    const coloured = await interact(page, SECONDS)
    const lasso = await lassoTimes(page)
    const thumbs = await thumbnailPan(page, SECONDS)
    mkdirSync(join(repoRoot, 'test-output'), { recursive: true })
    await page.screenshot({ path: join(repoRoot, 'test-output', 'bench-scatter.png') })
    const result: Record<string, number | null> = {
      points: POINTS,
      seconds: SECONDS,
      timeToFirstDrawMs: Math.round(first),
      hostMapResultMs,
      ...summarise('', plain),
      ...summarise('coloured', coloured),
      lassoMs: percentile(lasso, 50),
      lassoMaxMs: percentile(lasso, 100),
      thumbnailsDrawn: thumbs.thumbnails,
      thumbnailPanFrames: thumbs.frames.length,
      thumbnailPanFrameP50Ms: percentile(thumbs.frames, 50),
      thumbnailPanFrameP95Ms: percentile(thumbs.frames, 95),
      thumbnailPanDrawP95Ms: percentile(thumbs.draws, 95),
      hoverSamples: hover.length,
      hoverP50Ms: percentile(hover, 50),
      hoverMaxMs: percentile(hover, 100),
      pageErrors: pageErrors.length,
      loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    }
    if (!json) {
      log(
        `time to first draw of ${POINTS} points (from choosing t-SNE): ${result.timeToFirstDrawMs} ms ` +
          `(of which the host answering latent.mapResult over HTTP: ${hostMapResultMs} ms)`,
      )
      log(
        `zoom/pan, one colour: ${result.frames} frames, p50 ${result.frameP50Ms} ms, p95 ${result.frameP95Ms} ms, max ${result.frameMaxMs} ms; ` +
          `redraws ${result.redraws}, p50 ${result.drawP50Ms} ms, p95 ${result.drawP95Ms} ms`,
      )
      log(
        `zoom/pan, coloured: ${result.colouredFrames} frames, p50 ${result.colouredFrameP50Ms} ms, p95 ${result.colouredFrameP95Ms} ms, max ${result.colouredFrameMaxMs} ms; ` +
          `redraws ${result.colouredRedraws}, p50 ${result.colouredDrawP50Ms} ms, p95 ${result.colouredDrawP95Ms} ms`,
      )
      log(
        `hover: ${result.hoverSamples} faces, p50 ${result.hoverP50Ms} ms, max ${result.hoverMaxMs} ms`,
      )
      log(`lasso over ${POINTS} points: p50 ${result.lassoMs} ms, max ${result.lassoMaxMs} ms`)
      log(
        `pan with ${result.thumbnailsDrawn} faces drawn: ${result.thumbnailPanFrames} frames, p50 ${result.thumbnailPanFrameP50Ms} ms, p95 ${result.thumbnailPanFrameP95Ms} ms; redraw p95 ${result.thumbnailPanDrawP95Ms} ms`,
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
