/**
 * The command line rejects numbers beyond what the studio accepts (exit 2, naming the limit), does
 * not create a project where a command only reads one, and names a file that is not a database.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../support/cli'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('cli-limits-')
afterAll(() => temp.cleanup())

describe('numbers out of range are usage errors that name the limit', () => {
  it.each([
    [['train', '--steps', '1e20'], /--steps.*10,000,000/],
    [['train', '--epochs', '50000'], /--epochs.*10,000/],
    [['train', '--steps', '10', '--seed', '1e20'], /--seed.*4,294,967,295/],
    [['sample', '--count', '100000000', '--out', 'x.png'], /--count.*256/],
    [['sample', '--seed', '99999999999', '--out', 'x.png'], /--seed.*4,294,967,295/],
  ])('%s', async (args, message) => {
    const project = join(temp.dir, 'never-created')
    const result = await runCli([...args, '--project', project])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(existsSync(project)).toBe(false)
  })
})

describe('commands that read a project do not create one', () => {
  const missing = join(temp.dir, 'no-such-project')
  it.each([
    ['sample', '--out', join(temp.dir, 'a.png')],
    ['reconstruct', '--ids', '000001.jpg', '--out', join(temp.dir, 'b.png')],
    ['encode'],
    ['vectors'],
    ['map', '--method', 'pca', '--out', join(temp.dir, 'c.png')],
    ['hist', '--out', join(temp.dir, 'd.png')],
    ['neighbours', '--id', '000001.jpg', '--out', join(temp.dir, 'e.png')],
    ['edit', '--id', '000001.jpg', '--attr', 'Smiling', '--out', join(temp.dir, 'f.png')],
    ['morph', '--from', '000001.jpg', '--to', '000002.jpg', '--out', join(temp.dir, 'g.gif')],
    ['serve', '--port', '0'],
  ])('%s', async (...args) => {
    const result = await runCli([...args, '--project', missing])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(missing)
    expect(result.stderr).toMatch(/not a project folder/)
    expect(existsSync(missing)).toBe(false)
  })
})

describe('a studio.db that is not a database', () => {
  it('is named, with what to do, and left as it was', async () => {
    const project = join(temp.dir, 'damaged')
    mkdirSync(project)
    const database = join(project, 'studio.db')
    const garbage = Buffer.from(
      'this is not SQLite, just some text that happens to be here\n'.repeat(80),
    )
    writeFileSync(database, garbage)
    const result = await runCli(['vectors', '--project', project])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(database)
    expect(result.stderr).toMatch(/not a SQLite database/)
    expect(result.stderr).toMatch(/move it aside/)
    expect(readFileSync(database).equals(garbage)).toBe(true)
  })
})
