import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DEMO_FACE_COUNT, demoLocation } from '../../src/main/studio/demoProject'
import { StudioService } from '../../src/main/studio/service'
import { makeTempDir } from '../support/tempDir'

describe('the demo project', () => {
  const temp = makeTempDir('studio-demo-')
  const userDataDir = join(temp.dir, 'user-data')
  const studio = new StudioService({
    host: 'serve',
    version: 'test',
    userDataDir,
    emit: () => {},
  })
  afterAll(async () => {
    await studio.close()
    temp.cleanup()
  })

  it('opens with a trained model, its latents and a map: no training or encode first', async () => {
    const demo = await studio['projects.openDemo']()
    expect(demo.images).toBe(DEMO_FACE_COUNT)
    const runs = await studio['runs.list']()
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ id: 1, preset: 'classic-64', status: 'finished' })
    expect(runs[0]?.stepsDone).toBeGreaterThan(0)
    expect(await studio.api['latent.status']({})).toMatchObject({
      runId: 1,
      state: 'ready',
      current: DEMO_FACE_COUNT,
      jobId: null,
    })
    expect((await studio.api['latent.mapResult']({ method: 'pca' }))?.points).toBe(DEMO_FACE_COUNT)
    const vectors = await studio.api['latent.vectors']({})
    expect(vectors.latents).toBe(DEMO_FACE_COUNT)
    expect(vectors.attributes).toHaveLength(40)
    // The model learned something the labels describe: some attribute separates well.
    const best = Math.max(...vectors.attributes.map((a) => a.auc ?? 0))
    expect(best).toBeGreaterThan(0.7)
  })

  it('stays the demo when it is reopened by path, as the recent list does', async () => {
    const first = await studio['projects.openDemo']()
    expect(first).toMatchObject({ isDemo: true, name: 'Demo faces' })
    expect(first.images).toBeGreaterThan(0)

    const other = await studio['projects.open']({ path: join(temp.dir, 'other') })
    expect(other).toMatchObject({ isDemo: false, name: 'other' })

    const again = await studio['projects.open']({ path: demoLocation(userDataDir).projectDir })
    expect(again).toMatchObject({ isDemo: true, name: 'Demo faces', images: first.images })
  })
})
