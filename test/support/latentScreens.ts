import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'

/** On the Attributes screen: picks the first dataset face and makes its strip along `attribute`. */
export async function stripOfFirstFace(page: Page, attribute: string): Promise<Locator> {
  await page.getByTestId('nav-attributes').click()
  const firstFace = page.getByTestId('attr-dataset-face').first()
  await firstFace.waitFor({ timeout: 30_000 })
  await firstFace.click()
  await page.getByTestId('attr-face-image').waitFor({ timeout: 60_000 })
  await page.getByTestId(`attr-slider-${attribute}`).waitFor({ timeout: 60_000 })
  await page.getByTestId('strip-attribute-select').selectOption(attribute)
  await page.getByTestId('strip-button').click()
  const strip = page.getByTestId('strip-image')
  await strip.waitFor({ timeout: 60_000 })
  return strip
}

/** On the Morph screen: adds dataset faces by file name as keyframes, one after the other. */
export async function addMorphKeyframes(page: Page, files: readonly string[]): Promise<void> {
  await page.getByTestId('nav-morph').click()
  const before = await page.getByTestId('keyframe-item').count()
  for (const [i, file] of files.entries()) {
    await page.getByTestId('add-keyframe-dataset').click()
    await page.getByTestId('keyframe-file-input').fill(file)
    await page.getByTestId('keyframe-add-confirm').click()
    await expect
      .poll(() => page.getByTestId('keyframe-item').count(), { timeout: 60_000 })
      .toBe(before + i + 1)
  }
}
