import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { CancelledError } from '../../src/shared/progress'
import { CELEBA_ATTRIBUTES } from '../../src/main/dataset/synth/celebaAttributes'
import { parseAttributeFile } from '../../src/main/dataset/synth/celebaFormat'
import { generateSyntheticDataset } from '../../src/main/dataset/synth'
import { repoRoot } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('synth-test-')
afterAll(temp.cleanup)

/** One hash over every file's relative path and bytes. */
function hashTree(dir: string): string {
  const hash = createHash('sha256')
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = join(rel, name)
      const full = join(dir, path)
      try {
        hash.update(path).update(readFileSync(full))
      } catch {
        walk(path)
      }
    }
  }
  walk('')
  return hash.digest('hex')
}

describe('generateSyntheticDataset', () => {
  it('writes the CelebA layout with parseable files and 178×218 JPEGs', async () => {
    const out = join(temp.dir, 'layout')
    const updates: number[] = []
    const result = await generateSyntheticDataset(out, {
      count: 30,
      seed: 9,
      onProgress: (u) => updates.push(u.done),
    })
    expect(result).toEqual({ count: 30 })
    expect(updates.at(-1)).toBe(30)
    const images = readdirSync(join(out, 'img_align_celeba')).sort()
    expect(images).toHaveLength(30)
    expect(images[0]).toBe('000001.jpg')
    expect(images[29]).toBe('000030.jpg')
    const meta = await sharp(join(out, 'img_align_celeba', '000007.jpg')).metadata()
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['jpeg', 178, 218, 3])

    const attrText = readFileSync(join(out, 'list_attr_celeba.txt'), 'utf8')
    expect(attrText.split('\n')[0]).toBe('30')
    const attrs = parseAttributeFile(attrText, 'list_attr_celeba.txt')
    expect(attrs.names).toEqual([...CELEBA_ATTRIBUTES])
    expect(attrs.rows.map((r) => r.file)).toEqual(images)
    // Separated by runs of spaces, as in the real file.
    expect(attrText.split('\n')[2]).toMatch(/^000001\.jpg( {2}1| -1){40}$/)

    const splits = readFileSync(join(out, 'list_eval_partition.txt'), 'utf8').trim().split('\n')
    expect(splits).toHaveLength(30)
    expect(splits[0]).toBe('000001.jpg 0')
    const counts = [0, 1, 2].map((s) => splits.filter((l) => l.endsWith(` ${s}`)).length)
    expect(counts).toEqual([24, 3, 3])
  })

  it('same seed gives the same bytes, on worker threads or not; another seed differs', async () => {
    const a = join(temp.dir, 'a')
    const b = join(temp.dir, 'b')
    const c = join(temp.dir, 'c')
    await generateSyntheticDataset(a, { count: 220, seed: 4, workers: 2 })
    await generateSyntheticDataset(b, { count: 220, seed: 4, workers: 0 })
    await generateSyntheticDataset(c, { count: 220, seed: 5, workers: 0 })
    expect(hashTree(a)).toBe(hashTree(b))
    expect(hashTree(a)).not.toBe(hashTree(c))
  })

  it('stops with CancelledError when its signal aborts', async () => {
    const controller = new AbortController()
    await expect(
      generateSyntheticDataset(join(temp.dir, 'cancelled'), {
        count: 400,
        workers: 0,
        signal: controller.signal,
        onProgress: (u) => {
          if (u.done > 0) controller.abort()
        },
      }),
    ).rejects.toBeInstanceOf(CancelledError)
  })
})

describe('face-studio synth', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [join(repoRoot, 'bin', 'face-studio.js'), 'synth', ...args], {
      encoding: 'utf8',
    })

  it('--json ends stdout with one result object', () => {
    const out = join(temp.dir, 'cli')
    const started = performance.now()
    const run = cli(['--out', out, '--count', '12', '--seed', '3', '--json'])
    const wallSeconds = (performance.now() - started) / 1000
    expect(run.status, run.stderr).toBe(0)
    const last = run.stdout.trim().split('\n').at(-1) ?? ''
    const result = JSON.parse(last) as { out: string; count: number; seconds: number }
    expect(result.out).toBe(out)
    expect(result.count).toBe(12)
    // Its own time, in seconds: part of the command's, to the 10 ms it is rounded to.
    expect(result.seconds).toBeGreaterThanOrEqual(0)
    expect(result.seconds).toBeLessThanOrEqual(wallSeconds + 0.005)
    expect(readdirSync(join(out, 'img_align_celeba'))).toHaveLength(12)
  })

  it('exits 2 for a bad --count and 1 for an output folder that cannot be made', () => {
    const bad = cli(['--out', join(temp.dir, 'x'), '--count', 'abc'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/abc/)
    const file = join(temp.dir, 'regular-file')
    writeFileSync(file, 'not a folder')
    const unwritable = cli(['--out', join(file, 'out'), '--count', '3'])
    expect(unwritable.status).toBe(1)
    expect(unwritable.stderr).toContain(join(file, 'out'))
  })
})
