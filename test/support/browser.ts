import { chromium, type Browser, type Page } from 'playwright-core'

/**
 * Debian's Chromium, headless, with the flags this closed network needs. Playwright gives each
 * launch its own temporary profile (it refuses a --user-data-dir argument).
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
}

/** The studio page in a fresh Chromium, with the page's uncaught errors collected for assertions. */
export async function openStudioPage(
  url: string,
  viewport = { width: 1440, height: 1000 },
): Promise<{ browser: Browser; page: Page; pageErrors: string[] }> {
  const browser = await launchChromium()
  const page = await browser.newPage({ viewport })
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(url)
  return { browser, page, pageErrors }
}
