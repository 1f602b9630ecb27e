/**
 * The same dataset reached through another path (a symbolic link, the folder after a move or a copy)
 * keeps the project's image ids, cache slots and latents; a different dataset replaces them and says
 * how many latents went with them.
 */
import { cpSync, renameSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestDataset, type IngestResult } from '../../src/main/dataset/ingest'
import { generateSyntheticDataset } from '../../src/main/dataset/synth'
import type { Db } from '../../src/main/store/database'
import { insertLatents } from '../../src/main/store/latents'
import { openProjectFolder, type ProjectPaths } from '../../src/main/store/projectFolder'
import { createRun } from '../../src/main/store/runs'
import { makeTempDir } from '../support/tempDir'

const COUNT = 12

describe('ingesting the same dataset through another path', () => {
  const temp = makeTempDir('ingest-relocate-')
  let db: Db
  let paths: ProjectPaths
  let runId: number
  let original: Map<string, number>

  const ingest = (dir: string): Promise<IngestResult> =>
    ingestDataset(db, paths, dir, { size: 64, threads: 0 })
  const imageIds = (): Map<string, number> =>
    new Map(
      (db.prepare('SELECT id, file FROM images').all() as { id: number; file: string }[]).map(
        (row) => [row.file, row.id],
      ),
    )
  const latentCount = (): number =>
    (db.prepare('SELECT count(*) AS n FROM latents WHERE run_id = ?').get(runId) as { n: number }).n

  beforeAll(async () => {
    await generateSyntheticDataset(join(temp.dir, 'faces'), { count: COUNT, seed: 5, workers: 0 })
    ;({ db, paths } = openProjectFolder(join(temp.dir, 'project')))
    const first = await ingest(join(temp.dir, 'faces'))
    expect(first.images).toBe(COUNT)
    runId = createRun(
      db,
      { preset: 'classic-64', config: {}, seed: 1, targetSteps: 1, datasetSnapshot: {} },
      (id) => join(paths.runs, String(id)),
    ).id
    original = imageIds()
    insertLatents(
      db,
      runId,
      0,
      [...original.values()].map((imageId) => ({
        imageId,
        mu: new Float32Array([imageId, 1]),
        logVar: new Float32Array([0, 0]),
      })),
    )
  })
  afterAll(() => {
    db.close()
    temp.cleanup()
  })

  it('through a symbolic link: nothing is decoded again, ids and latents stay', async () => {
    symlinkSync(join(temp.dir, 'faces'), join(temp.dir, 'link'))
    const result = await ingest(join(temp.dir, 'link'))
    expect(result.stats.processed).toBe(0)
    expect(result.stats.removed).toBe(0)
    expect(result.stats.latentsDropped).toBe(0)
    expect(result.images).toBe(COUNT)
    expect(imageIds()).toEqual(original)
    expect(latentCount()).toBe(COUNT)
  })

  it('after the folder moved: images are matched by name and size, latents stay', async () => {
    renameSync(join(temp.dir, 'faces'), join(temp.dir, 'moved'))
    const result = await ingest(join(temp.dir, 'moved'))
    expect(result.stats.processed).toBe(0)
    expect(result.stats.latentsDropped).toBe(0)
    expect(result.notices.join('\n')).toMatch(/moved/)
    expect(imageIds()).toEqual(original)
    expect(latentCount()).toBe(COUNT)
    expect(result.splits.train + result.splits.validation + result.splits.test).toBe(COUNT)
  })

  it('a copy with new modification times while the old folder is still there: kept too', async () => {
    cpSync(join(temp.dir, 'moved'), join(temp.dir, 'copy'), { recursive: true })
    const result = await ingest(join(temp.dir, 'copy'))
    expect(result.stats.processed).toBe(0)
    expect(imageIds()).toEqual(original)
    expect(latentCount()).toBe(COUNT)
  })

  it('a removed file takes its latents with it, and the result says so', async () => {
    rmSync(join(temp.dir, 'copy', 'img_align_celeba', '000003.jpg'))
    const result = await ingest(join(temp.dir, 'copy'))
    expect(result.stats.removed).toBe(1)
    expect(result.stats.latentsDropped).toBe(1)
    expect(result.notices.join('\n')).toMatch(
      /1 image files are gone .*their 1 latents were removed/,
    )
    expect(latentCount()).toBe(COUNT - 1)
  })

  it('a different dataset replaces the images and says how many latents went', async () => {
    await generateSyntheticDataset(join(temp.dir, 'other'), { count: 5, seed: 9, workers: 0 })
    const result = await ingest(join(temp.dir, 'other'))
    expect(result.images).toBe(5)
    expect(result.stats.processed).toBe(5)
    expect(result.stats.latentsDropped).toBe(COUNT - 1)
    expect(result.notices.join('\n')).toMatch(/different dataset.*11 images and their 11 latents/s)
    expect(latentCount()).toBe(0)
  })
})
