import { spawnSync } from 'node:child_process'
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('cli-outputs-')
afterAll(() => temp.cleanup())
const project = join(temp.dir, 'project')
cpSync(inject('trainedProject'), project, { recursive: true })
const photos = join(inject('trainedProjectDataset'), 'img_align_celeba')
const [firstId, secondId] = readdirSync(photos)
  .filter((f) => f.endsWith('.jpg'))
  .sort()
  .slice(0, 2) as [string, string]
const bin = join(repoRoot, 'bin', 'face-studio.js')

function cli(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args, '--project', project], {
    cwd: temp.dir,
    encoding: 'utf8',
  })
  return { status: r.status, stderr: r.stderr }
}

const morph = (out: string, ...extra: string[]): { status: number | null; stderr: string } =>
  cli([
    'morph',
    '--from',
    firstId,
    '--to',
    secondId,
    '--frames',
    '3',
    '--size',
    '32',
    '--out',
    out,
    ...extra,
  ])

describe('what the CLI may replace', () => {
  it('never replaces a file of another kind without --force', () => {
    const rc = join(temp.dir, 'bashrc.gif')
    writeFileSync(rc, 'export PATH=/usr/bin')
    const refused = morph(rc)
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(/not a GIF file; pass --force/)
    expect(readFileSync(rc, 'utf8')).toBe('export PATH=/usr/bin')
    expect(morph(rc, '--force').status).toBe(0)
    expect(readFileSync(rc).subarray(0, 6).toString()).toBe('GIF89a')
    // An earlier export of the same kind is replaced as before.
    expect(morph(rc).status).toBe(0)
  })

  it('never replaces a project database, even with --force', () => {
    const other = join(temp.dir, 'other.png')
    cpSync(join(project, 'studio.db'), other)
    const before = readFileSync(other)
    for (const extra of [[], ['--force']]) {
      const r = morph(other, ...extra)
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(/database/)
    }
    expect(readFileSync(other).equals(before)).toBe(true)
    const sample = cli(['sample', '--count', '4', '--out', join(project, 'studio.db'), '--force'])
    expect(sample.status).toBe(1)
    expect(sample.stderr).toMatch(/database/)
  })

  it('bounds morph frames and sample counts with a reason naming the limit', () => {
    const big = ['--frames', '100000', '--size', '512', '--out', join(temp.dir, 'big.gif')]
    const frames = cli(['morph', ...['--from', firstId, '--to', secondId], ...big])
    expect(frames.status).toBe(2)
    expect(frames.stderr).toMatch(/at most 1000 frames/)
    const sample = cli(['sample', '--count', '100000000', '--out', join(temp.dir, 'many.png')])
    expect(sample.status).toBe(2)
    expect(sample.stderr).toMatch(/at most 256/)
  })

  it('refuses a device as your own photo without reading it', () => {
    const photo = ['--image', '/dev/zero', '--attr', 'Smiling']
    const r = cli(['edit', ...photo, '--out', join(temp.dir, 'e.png')])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/not an image you can open/)
  })
})
