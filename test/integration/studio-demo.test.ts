import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { demoLocation } from '../../src/main/studio/demoProject'
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
