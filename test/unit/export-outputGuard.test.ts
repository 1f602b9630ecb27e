import { execFileSync } from 'node:child_process'
import { readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkReplaceable } from '../../src/main/export/outputGuard'
import { readPhotoFile } from '../../src/main/dataset/photoFile'
import { exportNameProblem, nameEndingProblem } from '../../src/shared/exportTarget'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('output-guard-')
afterAll(() => temp.cleanup())

describe('what an export may replace', () => {
  it('replaces an export of the same kind, refuses other files without force', () => {
    const gif = join(temp.dir, 'old.gif')
    writeFileSync(gif, 'GIF89a....')
    expect(() => checkReplaceable(gif, 'gif')).not.toThrow()
    const rc = join(temp.dir, '.bashrc')
    writeFileSync(rc, 'export PATH=…')
    expect(() => checkReplaceable(rc, 'gif')).toThrow(/not a GIF file; pass --force/)
    expect(() => checkReplaceable(rc, 'gif', { force: true })).not.toThrow()
    expect(() => checkReplaceable(gif, 'png')).toThrow(/not a PNG/)
    expect(() => checkReplaceable(join(temp.dir, 'new.gif'), 'gif')).not.toThrow()
  })

  it('never replaces a database, even with force', () => {
    const db = join(temp.dir, 'other.sqlite')
    writeFileSync(db, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(84)]))
    expect(() => checkReplaceable(db, 'png', { force: true })).toThrow(/database/)
    const named = join(temp.dir, 'studio.db')
    expect(() => checkReplaceable(named, 'png', { force: true })).toThrow(/database/)
    expect(readFileSync(db).subarray(0, 6).toString()).toBe('SQLite')
  })
})

describe('export names', () => {
  it('accepts plain names with the right ending only', () => {
    expect(exportNameProblem('smile.gif')).toBeNull()
    for (const bad of ['../x.gif', 'a/b.gif', 'a\\b.gif', '.hidden', '', 'x\0.gif', ' x.gif']) {
      expect(exportNameProblem(bad), bad).not.toBeNull()
    }
    expect(nameEndingProblem('smile.gif', '.gif')).toBeNull()
    expect(nameEndingProblem('smile.txt', '.gif')).toMatch(/\.gif/)
    expect(nameEndingProblem('frames', '')).toBeNull()
    expect(nameEndingProblem('frames.png', '')).toMatch(/folder/)
  })
})

describe('reading your own photo', () => {
  it('refuses devices, FIFOs, folders and oversize files alike, and reads a regular file', async () => {
    const fifo = join(temp.dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    const huge = join(temp.dir, 'huge.jpg')
    writeFileSync(huge, '')
    truncateSync(huge, 65 * 1024 * 1024)
    for (const path of ['/dev/zero', fifo, huge, temp.dir, join(temp.dir, 'missing.jpg')]) {
      await expect(readPhotoFile(path), path).rejects.toThrow(`${path}: not an image you can open`)
    }
    const ok = join(temp.dir, 'ok.jpg')
    writeFileSync(ok, Buffer.from([0xff, 0xd8, 1, 2]))
    expect([...(await readPhotoFile(ok))]).toEqual([0xff, 0xd8, 1, 2])
  })
})
