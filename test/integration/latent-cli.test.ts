import { spawnSync } from 'node:child_process'
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../support/sharedData'
import { cliSync } from '../support/cliSync'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('latent-cli-')
const project = join(temp.dir, 'project')
cpSync(inject('trainedProject'), project, { recursive: true })
afterAll(() => temp.cleanup())

const cli = cliSync

describe('latent CLI commands', () => {
  it('vectors: all 40 attributes with auc, positives and negatives', () => {
    const { code, json } = cli('vectors', '--project', project, '--json')
    expect(code).toBe(0)
    expect(json.run).toBe(1)
    const attributes = json.attributes as Record<
      string,
      { auc: number | null; positives: number; negatives: number }
    >
    expect(Object.keys(attributes)).toHaveLength(40)
    // The synthetic set has a test split: the AUCs are measured there, the vectors come from the rest.
    expect(json.aucSplit).toBe('test')
    expect(json.aucLatents).toBeGreaterThan(0)
    expect(attributes.Smiling!.positives + attributes.Smiling!.negatives).toBe(
      240 - (json.aucLatents as number),
    )
  })

  it('vectors --method linear: classifier normals with their AUCs; a bad method is a usage error', () => {
    const { code, json } = cli('vectors', '--project', project, '--method', 'linear', '--json')
    expect(code).toBe(0)
    expect(json.method).toBe('linear')
    const attributes = json.attributes as Record<string, { auc: number | null }>
    expect(Object.keys(attributes)).toHaveLength(40)
    expect(attributes.Smiling!.auc).toBeGreaterThan(0)
    expect(cli('vectors', '--project', project, '--method', 'lda').code).toBe(2)
  })

  it('edit: a captioned strip, also from an own photo; bad names list the valid ones', async () => {
    const out = join(temp.dir, 'strip.png')
    const ok = cli(
      'edit',
      '--project',
      project,
      '--id',
      '000010.jpg',
      '--attr',
      'Smiling',
      '--strength',
      '-4:4:9',
      '--orthogonal-to',
      'Male,Young',
      '--out',
      out,
      '--json',
    )
    expect(ok.code).toBe(0)
    expect(ok.json.file).toBe(out)
    const meta = await sharp(out).metadata()
    expect(meta.width).toBe(9 * 128)
    expect(meta.height).toBeGreaterThan(128)
    const photo = join(temp.dir, 'photo.png')
    await sharp({ create: { width: 90, height: 160, channels: 3, background: '#c08060' } })
      .png()
      .toFile(photo)
    const own = cli(
      'edit',
      '--project',
      project,
      '--image',
      photo,
      '--attr',
      'Male',
      '--strength',
      '-2:2:3',
      '--out',
      join(temp.dir, 'own.png'),
      '--json',
    )
    expect(own.code).toBe(0)
    expect((await sharp(join(temp.dir, 'own.png')).metadata()).width).toBe(3 * 128)
    const bad = cli(
      'edit',
      '--project',
      project,
      '--id',
      '000010.jpg',
      '--attr',
      'Smilin',
      '--out',
      out,
    )
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/unknown attribute "Smilin"; valid attributes: .*Smiling/)
    expect(cli('edit', '--project', project, '--attr', 'Smiling', '--out', out).code).toBe(2)
    expect(
      cli(
        'edit',
        '--project',
        project,
        '--id',
        '000010.jpg',
        '--attr',
        'Smiling',
        '--strength',
        '4:4',
        '--out',
        out,
      ).code,
    ).toBe(2)
  })

  it('map: a PNG plot and the time; cached the second time; also by t-SNE', async () => {
    const out = join(temp.dir, 'map.png')
    const first = cli(
      'map',
      '--project',
      project,
      '--method',
      'pca',
      '--color',
      'Smiling',
      '--out',
      out,
      '--json',
    )
    expect(first.code).toBe(0)
    expect(first.json.points).toBe(240)
    expect(typeof first.json.seconds).toBe('number')
    expect(first.json.cached).toBe(false)
    expect((await sharp(out).metadata()).width).toBeGreaterThan(500)
    const second = cli('map', '--project', project, '--method', 'pca', '--out', out, '--json')
    expect(second.json.cached).toBe(true)
    const tsneOut = join(temp.dir, 'tsne.png')
    const tsne = cli('map', '--project', project, '--method', 'tsne', '--out', tsneOut, '--json')
    expect(tsne.code).toBe(0)
    expect(tsne.json.method).toBe('tsne')
    expect(tsne.json.points).toBe(240)
    expect(tsne.json.cached).toBe(false)
    expect((await sharp(tsneOut).metadata()).width).toBeGreaterThan(500)
    const tsneAgain = cli(
      'map',
      '--project',
      project,
      '--method',
      'tsne',
      '--out',
      tsneOut,
      '--json',
    )
    expect(tsneAgain.json.cached).toBe(true)
    expect(cli('map', '--project', project, '--method', 'mds', '--out', out).code).toBe(2)
  })

  it('hist and neighbours write their pictures', async () => {
    const hist = cli(
      'hist',
      '--project',
      project,
      '--dims',
      '12',
      '--out',
      join(temp.dir, 'h.png'),
      '--json',
    )
    expect(hist.code).toBe(0)
    expect(hist.json.dims).toBe(12)
    const nn = cli(
      'neighbours',
      '--project',
      project,
      '--id',
      '000010.jpg',
      '--k',
      '4',
      '--out',
      join(temp.dir, 'nn.png'),
      '--json',
    )
    expect(nn.code).toBe(0)
    const items = nn.json.neighbours as { file: string; distance: number }[]
    expect(items).toHaveLength(4)
    expect(items.map((i) => i.file)).not.toContain('000010.jpg')
    expect((await sharp(join(temp.dir, 'nn.png')).metadata()).width).toBe(5 * 128)
  })

  it('says to run encode when there are no latents', () => {
    const empty = join(temp.dir, 'empty')
    cpSync(project, empty, { recursive: true })
    const db = spawnSync(
      process.execPath,
      [
        '-e',
        `const D=require('better-sqlite3');new D(${JSON.stringify(join(empty, 'studio.db'))}).exec('DELETE FROM latents')`,
      ],
      { cwd: repoRoot },
    )
    expect(db.status).toBe(0)
    const out = cli('vectors', '--project', empty, '--json')
    expect(out.code).toBe(1)
    expect(out.stderr).toMatch(/face-studio encode/)
  })
})
