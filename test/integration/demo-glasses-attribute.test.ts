import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { latentMethods } from '../../src/shared/contractLatent'
import { selectionMethods } from '../../src/shared/contractSelection'
import { demoLocation } from '../../src/main/studio/demoProject'
import { StudioService } from '../../src/main/studio/service'
import { repoRoot } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

/** File names whose Eyeglasses label is 1 in the demo dataset's own label file. */
function glassesFiles(datasetDir: string): string[] {
  const lines = readFileSync(join(datasetDir, 'list_attr_celeba.txt'), 'utf8').trim().split('\n')
  const column = (lines[1] as string).trim().split(/\s+/).indexOf('Eyeglasses')
  expect(column).toBeGreaterThanOrEqual(0)
  return lines
    .slice(2)
    .map((l) => l.trim().split(/\s+/))
    .filter((cells) => cells[column + 1] === '1')
    .map((cells) => cells[0] as string)
}

/*
 * Where the synthetic generator draws glasses, in the model's 64×64 face: CelebA's 148-px crop of the
 * 178×218 image puts the eyes at about (32, 32); the lenses sit about 8 px either side, the bridge
 * and the arms on the same band. The band's rows and columns in 64×64 pixels:
 */
const BAND: Region = { top: 28, bottom: 37, left: 16, right: 48 }
/** The whole face, to tell glasses from a face that only darkens overall. */
const FACE: Region = { top: 0, bottom: 64, left: 0, right: 64 }

interface Region {
  top: number
  bottom: number
  left: number
  right: number
}

function stripPng(dataUrl: string): Buffer {
  expect(dataUrl).toMatch(/^data:image\/png;base64,/)
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64')
}

/** Mean darkness (255 − grey) of a region in each face of a strip. */
async function darknessAlong(
  stripDataUrl: string,
  steps: number,
  region: Region,
): Promise<number[]> {
  const { data, info } = await sharp(stripPng(stripDataUrl))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  // Each face is a square cell of the strip's height less its caption; cells are side by side.
  const cell = info.width / steps
  const scale = cell / 64
  return Array.from({ length: steps }, (_, k) => {
    let sum = 0
    let count = 0
    for (let y = region.top * scale; y < region.bottom * scale; y++) {
      for (let x = region.left * scale; x < region.right * scale; x++) {
        const i = (y * info.width + k * cell + x) * 3
        sum += 255 - ((data[i] as number) + (data[i + 1] as number) + (data[i + 2] as number)) / 3
        count++
      }
    }
    return sum / count
  })
}

describe('a custom attribute from the demo faces that wear glasses', () => {
  const temp = makeTempDir('demo-glasses-')
  const userDataDir = join(temp.dir, 'user-data')
  const studio = new StudioService({ host: 'serve', version: 'test', userDataDir, emit: () => {} })
  afterAll(async () => {
    await studio.close()
    temp.cleanup()
  })

  it('separates them (AUC ≥ 0.95) and its strip adds glasses', async () => {
    // The service takes parsed input: the contract's defaults fill what a caller leaves out.
    const strip = (input: z.input<(typeof latentMethods)['latent.strip']['input']>) =>
      studio.api['latent.strip'](latentMethods['latent.strip'].input.parse(input))
    await studio['projects.openDemo']()
    const files = glassesFiles(demoLocation(userDataDir).datasetDir)
    expect(files.length).toBeGreaterThan(10)
    // Select them as the page's Find does: by file name.
    const ids: number[] = []
    for (const file of files) {
      const { items } = await studio.api['selection.find']({ query: file, limit: 1 })
      expect(items[0]?.file.endsWith(file), file).toBe(true)
      ids.push((items[0] as { imageId: number }).imageId)
    }
    const made = await studio.api['attributes.custom.add'](
      selectionMethods['attributes.custom.add'].input.parse({
        name: 'my: glasses',
        positives: ids,
      }),
    )
    console.log(
      `my: glasses: ${made.positives} positives, ${made.negatives} negatives, AUC ${made.auc}`,
    )
    expect(made).toMatchObject({ positives: files.length, versus: 'rest' })
    expect(made.auc).toBeGreaterThanOrEqual(0.95)

    // A face without glasses, moved along the attribute from −4 to +4.
    const plain = await studio.api['selection.find']({ query: '000001.jpg', limit: 1 })
    const start = plain.items[0] as { imageId: number }
    expect(ids).not.toContain(start.imageId)
    const steps = 9
    const { image } = await strip({
      source: { kind: 'image', imageId: start.imageId },
      attribute: 'my: glasses',
      from: -4,
      to: 4,
      steps,
    })
    mkdirSync(join(repoRoot, 'test-output'), { recursive: true })
    writeFileSync(join(repoRoot, 'test-output', 'demo-glasses-strip.png'), stripPng(image))
    const band = await darknessAlong(image, steps, BAND)
    const face = await darknessAlong(image, steps, FACE)
    const show = (v: number[]): string => v.map((d) => d.toFixed(1)).join(' ')
    console.log(`eye band darkness along the strip: ${show(band)}`)
    console.log(`whole face darkness along the strip: ${show(face)}`)
    const contrast = band.map((b, k) => b - (face[k] as number))
    console.log(`eye band less whole face: ${show(contrast)}`)
    // The eye band darkens at every step, and more than the face as a whole: glasses, not shade.
    for (let k = 1; k < steps; k++) {
      expect(band[k]).toBeGreaterThan(band[k - 1] as number)
      expect(contrast[k]).toBeGreaterThan(contrast[k - 1] as number)
    }
  })
})
