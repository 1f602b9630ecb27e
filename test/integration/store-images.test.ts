import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  findImageByFile,
  findImageById,
  imageFiles,
  okImageIds,
  searchImagesByFile,
} from '../../src/main/store/images'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import { makeTempDir } from '../support/tempDir'

describe('image queries', () => {
  const temp = makeTempDir()
  afterAll(() => temp.cleanup())
  let projects = 0

  function projectWith(files: [string, 'ok' | 'bad'][]): ReturnType<typeof openProjectFolder> {
    const project = openProjectFolder(join(temp.dir, `project-${++projects}`))
    const insert = project.db.prepare(
      'INSERT INTO images (file, size, mtime_ms, status) VALUES (?, 1, 0, ?)',
    )
    for (const [file, status] of files) insert.run(file, status)
    return project
  }

  it('finds an image by its name or its last path segment, the shortest path first, ingested only', () => {
    const { db } = projectWith([
      ['deep/down/000010.jpg', 'ok'],
      ['down/000010.jpg', 'ok'],
      ['000020.jpg', 'bad'],
      ['x000010.jpg', 'ok'],
    ])
    expect(findImageByFile(db, '000010.jpg')).toEqual({ id: 2, file: 'down/000010.jpg' })
    expect(findImageByFile(db, 'deep/down/000010.jpg')).toEqual({
      id: 1,
      file: 'deep/down/000010.jpg',
    })
    expect(findImageByFile(db, '000020.jpg')).toBeNull()
    expect(findImageById(db, 4)).toEqual({ id: 4, file: 'x000010.jpg' })
    expect(findImageById(db, 3)).toBeNull()
    expect(Array.from(okImageIds(db))).toEqual([1, 2, 4])
    expect(imageFiles(db, [2, 9])).toEqual(['down/000010.jpg', '#9'])
    db.close()
  })

  it('searches names literally (% and _ are not wildcards), exact names first', () => {
    const { db } = projectWith([
      ['a_b%1.jpg', 'ok'],
      ['axb11.jpg', 'ok'],
      ['long/folder/b%1.jpg', 'ok'],
      ['b%1.jpg', 'ok'],
    ])
    expect(searchImagesByFile(db, 'b%1', 10).map((r) => r.file)).toEqual([
      'b%1.jpg',
      'a_b%1.jpg',
      'long/folder/b%1.jpg',
    ])
    expect(searchImagesByFile(db, 'b%1.jpg', 10)[0]?.file).toBe('b%1.jpg')
    expect(searchImagesByFile(db, '_', 10).map((r) => r.file)).toEqual(['a_b%1.jpg'])
    db.close()
  })
})
