import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { insertLatents } from '../../src/main/store/latents'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import type { Db } from '../../src/main/store/database'
import {
  addCustomAttribute,
  customColours,
  labelCustomFace,
  listCustomAttributes,
} from '../../src/main/studio/latent/customAttributes'
import { findFaces, meanLatent, selectionMakeup } from '../../src/main/studio/latent/selection'
import { attributeVectorSet, editLatent } from '../../src/main/studio/latent/vectors'
import { makeTempDir } from '../support/tempDir'

const DIM = 3
const N = 40

/** 40 faces; the first 10 are "red-haired": dimension 2 shifted. Smiling labels every other face. */
function setup(db: Db): void {
  db.prepare(
    `INSERT INTO runs (created_at, updated_at, preset, config, seed, target_steps, status, dataset_snapshot, dir)
     VALUES ('t', 't', 'p', '{}', 1, 1, 'finished', '{}', '/nowhere')`,
  ).run()
  db.prepare("INSERT INTO attribute_names (idx, name) VALUES (0, 'Smiling')").run()
  const image = db.prepare(
    "INSERT INTO images (id, file, split, size, mtime_ms, status) VALUES (?, ?, 2, 1, 1, 'ok')",
  )
  const attrs = db.prepare('INSERT INTO image_attributes (image_id, a0) VALUES (?, ?)')
  const rows = []
  for (let id = 1; id <= N; id++) {
    image.run(id, `faces/${String(id).padStart(6, '0')}.jpg`)
    attrs.run(id, id % 2 === 0 ? 1 : -1)
    const mu = Float32Array.of(
      Math.sin(id),
      id % 2 === 0 ? 1 : 0,
      id <= 10 ? 2 + Math.cos(id) : Math.cos(id),
    )
    rows.push({ imageId: id, mu, logVar: new Float32Array(DIM) })
  }
  insertLatents(db, 1, 0, rows)
}

describe('custom attributes and selections in the store', () => {
  let temp: ReturnType<typeof makeTempDir>
  let db: Db
  let root: string

  beforeEach(() => {
    temp = makeTempDir('custom-attributes-')
    const opened = openProjectFolder(temp.dir)
    db = opened.db
    root = opened.paths.root
    setup(db)
  })

  afterEach(() => {
    db.close()
    temp.cleanup()
  })

  const red = Array.from({ length: 10 }, (_, i) => i + 1)

  it('joins the vector set after the built-in attributes, and edits move along it', () => {
    const made = addCustomAttribute(db, root, 1, { name: 'my: red hair', positives: red })
    expect(made).toMatchObject({
      name: 'my: red hair',
      positives: 10,
      negatives: 30,
      versus: 'rest',
    })
    expect(made.auc).toBe(1)
    const set = attributeVectorSet(db, root, 1)
    expect(set.names).toEqual(['Smiling', 'my: red hair'])
    expect(set.custom).toEqual([false, true])
    const edited = editLatent(set, [0, 0, 0], [{ attribute: 'my: red hair', intensity: 1 }])
    expect(edited[2]).toBeGreaterThan(0.9)
    // Conditional editing keeps Smiling's projection unchanged.
    const kept = editLatent(
      set,
      [0, 0, 0],
      [{ attribute: 'my: red hair', intensity: 1, orthogonalTo: ['Smiling'] }],
    )
    const smiling = set.vectors.slice(0, DIM)
    expect(kept.reduce((s, v, d) => s + v * (smiling[d] as number), 0)).toBeCloseTo(0, 5)
  })

  it('refits when faces are ticked by hand, and colours the map by membership', () => {
    addCustomAttribute(db, root, 1, { name: 'mine', positives: red, negatives: [11, 12, 13, 14] })
    const after = labelCustomFace(db, root, 1, 'mine', 15, -1)
    expect(after).toMatchObject({ positives: 10, negatives: 5, versus: 'selection' })
    expect(labelCustomFace(db, root, 1, 'mine', 1, 0).positives).toBe(9)
    const colours = customColours(db, 1, Int32Array.of(1, 2, 11, 15, 30), 'MINE')
    expect(Array.from(colours ?? [])).toEqual([0, 1, -1, -1, 0])
    expect(customColours(db, 1, Int32Array.of(1), 'nothing')).toBeNull()
    expect(listCustomAttributes(db, 1).map((a) => a.name)).toEqual(['mine'])
  })

  it('refuses faces that are not in the project, an empty name and a built-in one', () => {
    expect(() => addCustomAttribute(db, root, 1, { name: 'x', positives: [1, 999] })).toThrow(
      /image 999 is not in this project/,
    )
    expect(() => addCustomAttribute(db, root, 1, { name: '  ', positives: [1] })).toThrow(/1 to 64/)
    expect(() => addCustomAttribute(db, root, 1, { name: 'SMILING', positives: [1] })).toThrow(
      /built-in attribute \(Smiling\)/,
    )
    expect(() => labelCustomFace(db, root, 1, 'ghost', 1, 1)).toThrow(/no custom attribute "ghost"/)
  })

  it('finds faces, counts a selection’s make-up and averages its latents', () => {
    expect(findFaces(db, '000012.jpg', 5)).toEqual([{ imageId: 12, file: 'faces/000012.jpg' }])
    expect(findFaces(db, '7', 3)[0]).toEqual({ imageId: 7, file: 'faces/000007.jpg' })
    const makeup = selectionMakeup(db, [2, 4, 6, 7])
    expect(makeup).toMatchObject({ selected: 4, total: N })
    expect(makeup.attributes[0]).toEqual({ name: 'Smiling', selected: 0.75, overall: 0.5 })
    const mean = meanLatent(db, root, 1, [2, 4])
    expect(mean.faces).toBe(2)
    expect(mean.latent[0]).toBeCloseTo((Math.sin(2) + Math.sin(4)) / 2, 6)
  })
})
