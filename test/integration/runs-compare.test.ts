import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { psnr } from '../../src/main/export/quality'
import { runCli } from '../support/cli'
import { startServiceHarness, type ServiceHarness } from '../support/serviceHarness'
import { makeTempDir } from '../support/tempDir'

/** Two runs at different sizes on one project: the comparison is of the same faces at the larger. */
describe('runs.compare', () => {
  const temp = makeTempDir('runs-compare-')
  const dataset = join(temp.dir, 'faces')
  const project = join(temp.dir, 'project')
  let studio: ServiceHarness

  beforeAll(async () => {
    const steps = [
      ['synth', '--out', dataset, '--count', '60', '--seed', '4'],
      ['ingest', dataset, '--project', project, '--size', '64'],
      ['ingest', dataset, '--project', project, '--size', '128'],
      ['train', '--project', project, '--preset', 'classic-64', '--steps', '2', '--seed', '1'],
      ['train', '--project', project, '--preset', 'studio-128', '--steps', '2', '--seed', '1'],
    ]
    for (const args of steps) {
      const r = await runCli(args)
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0)
    }
    studio = await startServiceHarness(temp.dir, project)
  }, 600_000)
  afterAll(async () => {
    await studio?.close()
    temp.cleanup()
  })

  it('reconstructs the same validation faces with both runs, each measured at its own size', async () => {
    const result = await studio.call('runs.compare', { runIds: [1, 2], faces: 4 })
    expect(result.runs.map((r) => [r.runId, r.size, r.step])).toEqual([
      [1, 64, 2],
      [2, 128, 2],
    ])
    expect(result.imageIds).toHaveLength(4)
    const { data, info } = await sharp(
      Buffer.from(result.image.replace(/^data:image\/png;base64,/, ''), 'base64'),
    )
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
    // Faces on top, then each run's reconstructions, all at the larger run's 128 pixels.
    expect([info.width, info.height]).toEqual([4 * 128, 3 * 128])
    const row = (r: number) =>
      data.subarray(r * 128 * info.width * 3, (r + 1) * 128 * info.width * 3)
    // The 128 run's row is its own reconstructions, untouched: the figure measures its PSNR.
    expect(psnr(row(0), row(2))).toBeCloseTo(result.runs[1]!.psnr, 6)
    // The 64 run's row is upscaled, so it only approximates its PSNR at 64.
    expect(Math.abs(psnr(row(0), row(1)) - result.runs[0]!.psnr)).toBeLessThan(3)
  }, 300_000)

  it('refuses the same run twice and a run that does not exist, naming them', async () => {
    await expect(studio.call('runs.compare', { runIds: [1, 1] })).rejects.toThrow(
      /choose two different runs/,
    )
    await expect(studio.call('runs.compare', { runIds: [1, 9] })).rejects.toThrow(/no run 9/)
  }, 120_000)
})
