import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { holdOut } from '../../src/main/analysis/customAttribute'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import { cachedMap } from '../../src/main/studio/latent/maps'
import { attributeVectorSet } from '../../src/main/studio/latent/vectors'
import { cliSync } from '../support/cliSync'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('selection-cli-')
const project = join(temp.dir, 'project')
cpSync(inject('trainedProject'), project, { recursive: true })
const dataset = inject('trainedProjectDataset')
afterAll(() => temp.cleanup())

const cli = cliSync

/** File names with Eyeglasses = 1 in the synthetic dataset's own label file. */
function glassesFiles(): string[] {
  const lines = readFileSync(join(dataset, 'list_attr_celeba.txt'), 'utf8').trim().split('\n')
  const column = (lines[1] as string).trim().split(/\s+/).indexOf('Eyeglasses')
  return lines
    .slice(2)
    .map((l) => l.trim().split(/\s+/))
    .filter((cells) => cells[column + 1] === '1')
    .map((cells) => cells[0] as string)
}

/** Every latent of run 1 by image id, read straight from SQLite. */
function latents(): Map<number, Float32Array> {
  const { db } = openProjectFolder(project)
  try {
    const rows = db.prepare('SELECT image_id, mu FROM latents WHERE run_id = 1').all() as {
      image_id: number
      mu: Buffer
    }[]
    return new Map(rows.map((r) => [r.image_id, new Float32Array(new Uint8Array(r.mu).buffer)]))
  } finally {
    db.close()
  }
}

function meanDifference(pos: Float32Array[], neg: Float32Array[]): number[] {
  const dim = (pos[0] as Float32Array).length
  const mean = (rows: Float32Array[], d: number): number =>
    rows.reduce((s, r) => s + (r[d] as number), 0) / rows.length
  const diff = Array.from({ length: dim }, (_, d) => mean(pos, d) - mean(neg, d))
  const len = Math.hypot(...diff)
  return diff.map((v) => v / len)
}

/** AUC by counting every (positive, negative) pair: 1 when ordered, ½ when tied. */
function pairwiseAuc(pos: Float32Array[], neg: Float32Array[], v: number[]): number {
  const score = (r: Float32Array): number => v.reduce((s, x, d) => s + x * (r[d] as number), 0)
  let sum = 0
  for (const p of pos)
    for (const n of neg) sum += score(p) > score(n) ? 1 : score(p) === score(n) ? 0.5 : 0
  return sum / (pos.length * neg.length)
}

function storedVector(name: string): Float32Array {
  const { db } = openProjectFolder(project)
  try {
    const row = db.prepare('SELECT vector FROM custom_attributes WHERE name = ?').get(name) as {
      vector: Buffer
    }
    return new Float32Array(new Uint8Array(row.vector).buffer)
  } finally {
    db.close()
  }
}

describe('selections and custom attributes from the command line', () => {
  const files = glassesFiles()
  const idsFile = join(temp.dir, 'glasses.txt')
  const sel = join(temp.dir, 'sel.json')

  it('select --ids-file writes the named faces', () => {
    expect(files.length).toBeGreaterThan(3)
    writeFileSync(idsFile, `# faces with glasses\n${files.join('\n')}\n`)
    const out = cli('select', '--project', project, '--ids-file', idsFile, '--out', sel, '--json')
    expect(out.code, out.stderr).toBe(0)
    expect(out.json.faces).toBe(files.length)
    const body = JSON.parse(readFileSync(sel, 'utf8')) as { imageIds: number[]; files: string[] }
    expect(body.files).toEqual([...files].sort())
  })

  it('attribute add: the vector and held-out AUC match a direct computation', () => {
    const out = cli(
      'attribute',
      'add',
      '--project',
      project,
      '--name',
      'my: glasses',
      '--positives',
      sel,
      '--json',
    )
    expect(out.code, out.stderr).toBe(0)
    expect(Object.keys(out.json).sort()).toEqual(['auc', 'name', 'negatives', 'positives'])
    const all = latents()
    const ids = (JSON.parse(readFileSync(sel, 'utf8')) as { imageIds: number[] }).imageIds
    const posIds = [...all.keys()].filter((id) => ids.includes(id)).sort((a, b) => a - b)
    const negIds = [...all.keys()].filter((id) => !ids.includes(id)).sort((a, b) => a - b)
    expect(out.json).toMatchObject({
      name: 'my: glasses',
      positives: posIds.length,
      negatives: negIds.length,
    })
    const rowsOf = (list: number[]): Float32Array[] => list.map((id) => all.get(id) as Float32Array)
    const want = meanDifference(rowsOf(posIds), rowsOf(negIds))
    const got = storedVector('my: glasses')
    want.forEach((v, d) => expect(got[d]).toBeCloseTo(v, 5))
    // The held-out AUC: a direction fitted on the rest of each group, scored on the held-out share.
    const sorted = [...all.keys()].sort((a, b) => a - b)
    const rowIds = (rows: ArrayLike<number>): number[] =>
      Array.from(rows, (r) => sorted[r] as number)
    const p = holdOut(
      posIds.map((id) => sorted.indexOf(id)),
      0.25,
      7,
    )
    const n = holdOut(
      negIds.map((id) => sorted.indexOf(id)),
      0.25,
      8,
    )
    const fitted = meanDifference(rowsOf(rowIds(p.fit)), rowsOf(rowIds(n.fit)))
    const auc = pairwiseAuc(rowsOf(rowIds(p.test)), rowsOf(rowIds(n.test)), fitted)
    expect(out.json.auc).toBeCloseTo(auc, 6)
  })

  it('lists the attribute beside the built-in ones and edits with it', () => {
    const list = cli('attribute', 'list', '--project', project, '--json')
    expect(list.code).toBe(0)
    expect((list.json.attributes as { name: string }[]).map((a) => a.name)).toEqual(['my: glasses'])
    const vectors = cli('vectors', '--project', project, '--json')
    const attributes = vectors.json.attributes as Record<string, { auc: number | null }>
    expect(Object.keys(attributes)).toHaveLength(41)
    expect(attributes['my: glasses']?.auc).toBe((list.json.attributes as { auc: number }[])[0]?.auc)
    const strip = join(temp.dir, 'glasses-strip.png')
    const edit = cli(
      'edit',
      '--project',
      project,
      '--id',
      '000010.jpg',
      '--attr',
      'my: glasses',
      '--orthogonal-to',
      'Male',
      '--out',
      strip,
      '--json',
    )
    expect(edit.code, edit.stderr).toBe(0)
    expect(existsSync(strip)).toBe(true)
  })

  it('made from the faces with glasses against the rest, it is the Eyeglasses direction and strip', async () => {
    const vectors = cli('vectors', '--project', project, '--json')
    expect(vectors.code).toBe(0)
    const { db } = openProjectFolder(project)
    let builtIn: Float32Array
    try {
      const set = attributeVectorSet(db, project, 1)
      const a = set.names.indexOf('Eyeglasses')
      builtIn = set.vectors.slice(a * set.dim, (a + 1) * set.dim)
    } finally {
      db.close()
    }
    const mine = storedVector('my: glasses')
    const cosine = mine.reduce((s, v, d) => s + v * (builtIn[d] as number), 0)
    expect(cosine).toBeGreaterThan(0.99999)
    const strips = await Promise.all(
      ['my: glasses', 'Eyeglasses'].map(async (attribute, k) => {
        const out = join(temp.dir, `strip-${k}.png`)
        const edit = cli(
          'edit',
          '--project',
          project,
          '--id',
          '000010.jpg',
          '--attr',
          attribute,
          '--strength',
          '0:6:4',
          '--out',
          out,
        )
        expect(edit.code, edit.stderr).toBe(0)
        return sharp(out).raw().toBuffer()
      }),
    )
    const [a, b] = strips as [Buffer, Buffer]
    expect(a.length).toBe(b.length)
    let worst = 0
    for (let i = 0; i < a.length; i++)
      worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)))
    expect(worst).toBeLessThanOrEqual(2)
  })

  it('against a second selection, and refuses a built-in name', () => {
    const others = join(temp.dir, 'others.json')
    writeFileSync(idsFile.replace('.txt', '-no.txt'), '1\n2\n3\n4\n5\n6\n7\n8\n')
    expect(
      cli(
        'select',
        '--project',
        project,
        '--ids-file',
        idsFile.replace('.txt', '-no.txt'),
        '--out',
        others,
      ).code,
    ).toBe(0)
    const out = cli(
      'attribute',
      'add',
      '--project',
      project,
      '--name',
      'versus',
      '--positives',
      sel,
      '--negatives',
      others,
      '--json',
    )
    expect(out.code, out.stderr).toBe(0)
    expect(out.json.negatives).toBe(8 - files.filter((f) => Number(f.slice(0, 6)) <= 8).length)
    const bad = cli(
      'attribute',
      'add',
      '--project',
      project,
      '--name',
      'smiling',
      '--positives',
      sel,
    )
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/built-in attribute \(Smiling\)/)
    const removed = cli('attribute', 'remove', '--project', project, '--name', 'versus', '--json')
    expect(removed.json.removed).toBe('versus')
    const again = cli('attribute', 'remove', '--project', project, '--name', 'versus')
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/no custom attribute "versus"; it has: my: glasses/)
    expect(
      cli('select', '--project', project, '--ids-file', idsFile, '--box', '0,0,1,1', '--out', sel)
        .code,
    ).toBe(2)
  })

  it('select --box takes the points of a cached map inside the box', () => {
    const png = join(temp.dir, 'map.png')
    expect(cli('map', '--project', project, '--method', 'pca', '--out', png).code).toBe(0)
    const boxSel = join(temp.dir, 'box.json')
    const out = cli(
      'select',
      '--project',
      project,
      '--map',
      'pca',
      '--box',
      '-1,-1,1,1.5',
      '--out',
      boxSel,
      '--json',
    )
    expect(out.code, out.stderr).toBe(0)
    const { db } = openProjectFolder(project)
    let want: number[]
    try {
      const map = cachedMap(db, 1, 'pca')!
      want = Array.from(map.imageIds).filter((_, i) => {
        const x = map.coords[2 * i] as number
        const y = map.coords[2 * i + 1] as number
        return x >= -1 && x <= 1 && y >= -1 && y <= 1.5
      })
    } finally {
      db.close()
    }
    expect(want.length).toBeGreaterThan(0)
    expect((JSON.parse(readFileSync(boxSel, 'utf8')) as { imageIds: number[] }).imageIds).toEqual(
      want.sort((a, b) => a - b),
    )
  })

  it('export-selection copies the originals byte for byte, writes a CSV and a contact sheet', async () => {
    const dir = join(temp.dir, 'glasses-faces')
    const out = cli(
      'export-selection',
      '--project',
      project,
      '--selection',
      sel,
      '--to',
      dir,
      '--json',
    )
    expect(out.code, out.stderr).toBe(0)
    expect(out.json).toMatchObject({ kind: 'folder', faces: files.length })
    expect(readdirSync(dir).sort()).toEqual([...files].sort())
    for (const file of files) {
      const original = join(dataset, 'img_align_celeba', file)
      expect(existsSync(original)).toBe(true)
      expect(readFileSync(join(dir, file)).equals(readFileSync(original))).toBe(true)
    }
    const again = cli('export-selection', '--project', project, '--selection', sel, '--to', dir)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already exists/)

    const csv = join(temp.dir, 'glasses.csv')
    expect(
      cli('export-selection', '--project', project, '--selection', sel, '--to', csv).code,
    ).toBe(0)
    const lines = readFileSync(csv, 'utf8').trim().split('\n')
    expect(lines[0]).toMatch(/^file,image_id,pca_x,pca_y,5_o_Clock_Shadow,/)
    expect(lines).toHaveLength(files.length + 1)
    const header = (lines[0] as string).split(',')
    const glassesColumn = header.indexOf('Eyeglasses')
    for (const line of lines.slice(1)) expect(line.split(',')[glassesColumn]).toBe('1')

    const sheet = join(temp.dir, 'sheet.png')
    expect(
      cli('export-selection', '--project', project, '--selection', sel, '--to', sheet).code,
    ).toBe(0)
    const meta = await sharp(sheet).metadata()
    const columns = Math.ceil(Math.sqrt(files.length))
    expect(meta.width).toBe(columns * 64)
    expect(meta.height).toBe(Math.ceil(files.length / columns) * 64)
  })
})
