/**
 * Odd things in the places the studio reads: file names that are not UTF-8, annotation "files" that
 * are folders or named pipes, checkpoint temporaries left by a killed writer.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestDataset } from '../../src/main/dataset/ingest'
import { generateSyntheticDataset } from '../../src/main/dataset/synth'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('project-files-')
const faces = join(temp.dir, 'faces')
const images = join(faces, 'img_align_celeba')

beforeAll(async () => {
  await generateSyntheticDataset(faces, { count: 4, seed: 2, workers: 0 })
})
afterAll(() => temp.cleanup())

async function ingestInto(name: string, dataset: string) {
  const { db, paths } = openProjectFolder(join(temp.dir, name))
  try {
    return await ingestDataset(db, paths, dataset, { size: 64, threads: 0 })
  } finally {
    db.close()
  }
}

describe('a file name that is not UTF-8', () => {
  it('is reported as such, not as a broken link, and the rest ingest', async () => {
    const dir = join(temp.dir, 'latin1')
    mkdirSync(dir)
    copyFileSync(join(images, '000001.jpg'), join(dir, 'plain.jpg'))
    // "café.jpg" in Latin-1: the é is the single byte 0xE9, which is not valid UTF-8.
    const name = Buffer.concat([
      Buffer.from(`${dir}/caf`),
      Buffer.from([0xe9]),
      Buffer.from('.jpg'),
    ])
    copyFileSync(join(images, '000002.jpg'), name)
    const result = await ingestInto('latin1-project', dir)
    expect(result.images).toBe(1)
    const problem = result.problems.find((p) => p.file.startsWith('caf'))
    expect(problem?.reason).toMatch(/not valid UTF-8/)
    expect(problem?.reason).not.toMatch(/symbolic link/)
    expect(problem?.file).toContain('\\xE9')
  })
})

describe('an annotation file that is not a regular file', () => {
  it('a folder named list_attr_celeba.txt is reported by name', async () => {
    const dir = join(temp.dir, 'attr-folder')
    mkdirSync(join(dir, 'img_align_celeba'), { recursive: true })
    for (const file of readdirSync(images))
      copyFileSync(join(images, file), join(dir, 'img_align_celeba', file))
    mkdirSync(join(dir, 'list_attr_celeba.txt'))
    const result = await ingestInto('attr-folder-project', dir)
    expect(result.images).toBe(4)
    expect(result.problems).toContainEqual({
      file: 'list_attr_celeba.txt',
      reason: expect.stringMatching(/is a folder, not a file/),
    })
  })

  it('a named pipe as the partition file is reported without reading from it', async () => {
    const dir = join(temp.dir, 'partition-fifo')
    mkdirSync(join(dir, 'img_align_celeba'), { recursive: true })
    for (const file of readdirSync(images))
      copyFileSync(join(images, file), join(dir, 'img_align_celeba', file))
    execFileSync('mkfifo', [join(dir, 'list_eval_partition.txt')])
    const result = await ingestInto('partition-fifo-project', dir)
    expect(result.images).toBe(4)
    expect(result.problems).toContainEqual({
      file: 'list_eval_partition.txt',
      reason: expect.stringMatching(/named pipe/),
    })
  })
})

describe('checkpoint temporaries', () => {
  it('of a writer that is gone are removed when the project opens; a live writer’s stay', () => {
    const dir = join(temp.dir, 'tmp-project')
    openProjectFolder(dir).db.close()
    const runDir = join(dir, 'runs', '1')
    mkdirSync(runDir, { recursive: true })
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number
    const dead = join(runDir, `checkpoint.ckpt.tmp-${gone}`)
    const live = join(runDir, `checkpoint.ckpt.tmp-${process.pid}`)
    const other = join(runDir, 'notes.tmp-1')
    for (const file of [dead, live, other]) writeFileSync(file, 'partial')
    openProjectFolder(dir).db.close()
    expect(existsSync(dead)).toBe(false)
    expect(existsSync(live)).toBe(true)
    expect(existsSync(other)).toBe(true)
  })
})
