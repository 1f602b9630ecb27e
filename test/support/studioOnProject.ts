import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { openStudioPage } from './browser'
import { prepareProject } from './cli'
import { type RunningServe, startServe } from './serveHarness'
import { makeTempDir } from './tempDir'

export interface StudioOnProject {
  /** The suite's temporary folder; the project is `projectDir` inside it. */
  dir: string
  projectDir: string
  serve: RunningServe
  page: Page
  pageErrors: string[]
}

/** The studio started without a project: serve on a fresh home opens the demo, as on a first start. */
export type FreshStudio = Omit<StudioOnProject, 'projectDir'>

/**
 * A browser suite's fixture: serve mode (on the project `setUp` prepares in the suite's folder, if
 * any) and the studio page in Chromium; all torn down after the suite. The fields are set before the
 * suite's own beforeAll hooks run.
 */
function studioFixture(
  prefix: string,
  setUp: (dir: string) => Promise<string | undefined>,
  viewport?: { width: number; height: number },
): StudioOnProject {
  const temp = makeTempDir(prefix)
  const studio = { dir: temp.dir, projectDir: join(temp.dir, 'project') } as StudioOnProject
  let browser: Browser | undefined
  beforeAll(async () => {
    const projectDir = await setUp(temp.dir)
    studio.serve = await startServe({
      ...(projectDir ? { projectDir } : {}),
      home: join(temp.dir, 'home'),
    })
    const opened = await openStudioPage(studio.serve.url, viewport)
    browser = opened.browser
    studio.page = opened.page
    studio.pageErrors = opened.pageErrors
  })
  afterAll(async () => {
    await browser?.close()
    await studio.serve?.stop()
    temp.cleanup()
  })
  return studio
}

/** A project prepared through the CLI (synth → ingest → train…), serve mode on it, and the page. */
export function studioOnProject(
  prefix: string,
  prepare: Parameters<typeof prepareProject>[1] = {},
  viewport?: { width: number; height: number },
): StudioOnProject {
  return studioFixture(
    prefix,
    async (dir) => (await prepareProject(dir, prepare)).projectDir,
    viewport,
  )
}

/** Serve mode on a fresh home, with no project given: the studio opens its demo. */
export function freshStudio(prefix: string): FreshStudio {
  return studioFixture(prefix, async () => undefined)
}
