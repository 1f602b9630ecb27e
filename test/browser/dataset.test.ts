import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStudioPage } from '../support/browser'
import { startServe, type RunningServe } from '../support/serveHarness'
import { celebaSampleDir, repoRoot, sharedDataAvailable } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

/** Images whose attribute is `value`, straight from the project's database. */
function countInDatabase(projectDir: string, attribute: string, value: 1 | -1): number {
  const db = new Database(join(projectDir, 'studio.db'), { readonly: true })
  try {
    const { idx } = db.prepare('SELECT idx FROM attribute_names WHERE name = ?').get(attribute) as {
      idx: number
    }
    const row = db
      .prepare(
        `SELECT count(*) AS n FROM images i JOIN image_attributes a ON a.image_id = i.id
         WHERE i.status = 'ok' AND a.a${idx} = ?`,
      )
      .get(value) as { n: number }
    return row.n
  } finally {
    db.close()
  }
}

/** The same count from the real CelebA label file. */
function countInLabelFile(attribute: string, value: 1 | -1): number {
  const lines = readFileSync(join(celebaSampleDir, 'list_attr_celeba.txt'), 'utf8')
    .trim()
    .split('\n')
  const names = (lines[1] as string).trim().split(/\s+/)
  const column = names.indexOf(attribute) + 1
  return lines.slice(2).filter((line) => Number(line.trim().split(/\s+/)[column]) === value).length
}

describe.skipIf(!sharedDataAvailable())('the Projects and Dataset screens', () => {
  const temp = makeTempDir('dataset-browser-')
  const newProject = join(temp.dir, 'celeba-project')
  let serve: RunningServe | undefined
  let browser: Browser | undefined
  let page: Page
  let pageErrors: string[] = []

  beforeAll(async () => {
    serve = await startServe({ projectDir: join(temp.dir, 'first'), home: join(temp.dir, 'home') })
    ;({ browser, page, pageErrors } = await openStudioPage(serve.url))
  })

  afterAll(async () => {
    await browser?.close()
    await serve?.stop()
    temp.cleanup()
  })

  it(
    'creates a project from a folder, ingests it, and filters the grid by an attribute',
    { timeout: 180_000 },
    async () => {
      await page.getByTestId('nav-projects').click({ timeout: 60_000 })
      await page.getByTestId('project-path-input').fill(newProject)
      await page.getByTestId('dataset-path-input').fill(celebaSampleDir)
      await page.getByTestId('create-project-button').click()

      // The ingest runs as a job; the summary shows the real sample's 32 photos when it is done.
      const images = page.getByTestId('summary-images')
      await expect.poll(() => images.textContent(), { timeout: 120_000 }).toBe('32')
      const count = page.getByTestId('grid-count')
      await expect.poll(() => count.textContent(), { timeout: 30_000 }).toBe('32')

      const smiling = countInDatabase(newProject, 'Smiling', 1)
      expect(smiling).toBe(countInLabelFile('Smiling', 1))
      await page.getByTestId('attribute-filter-Smiling').click()
      await expect.poll(() => count.textContent(), { timeout: 30_000 }).toBe(String(smiling))
      const cells = page.getByTestId('grid-cell')
      await expect.poll(() => cells.count(), { timeout: 30_000 }).toBe(smiling)
      // Thumbnails arrive through the host's image route, behind the token.
      await expect
        .poll(
          () =>
            cells
              .first()
              .locator('img')
              .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
          { timeout: 30_000 },
        )
        .toBe(true)

      await page.getByTestId('attribute-filter-Smiling').click()
      const notSmiling = countInDatabase(newProject, 'Smiling', -1)
      await expect.poll(() => count.textContent(), { timeout: 30_000 }).toBe(String(notSmiling))
      expect(smiling + notSmiling).toBe(32)

      mkdirSync(join(repoRoot, 'test-output'), { recursive: true })
      await page.screenshot({ path: join(repoRoot, 'test-output', 'dataset.png') })
      expect(await page.getByTestId('error-banner').count()).toBe(0)
      expect(pageErrors).toEqual([])
    },
  )
})
