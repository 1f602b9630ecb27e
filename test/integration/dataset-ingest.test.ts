import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { datasetQuerySchema, type Split } from '../../src/shared/contract'
import { CancelledError, type ProgressUpdate } from '../../src/shared/progress'
import { cropResize } from '../../src/main/dataset/resample'
import { ingestDataset, NoImagesError } from '../../src/main/dataset/ingest'
import { CacheWriter, findCache, openImageCache } from '../../src/main/dataset/imageCache'
import { startPreprocessor } from '../../src/main/dataset/preprocessPool'
import { DEFAULT_CROP } from '../../src/main/dataset/crop'
import { jpegOrientation } from '../../src/main/dataset/jpegOrientation'
import { preprocessImage } from '../../src/main/dataset/preprocess'
import { queryImages } from '../../src/main/dataset/queries'
import { datasetSummary } from '../../src/main/dataset/summary'
import { thumbnail } from '../../src/main/dataset/thumbnail'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import type { Db } from '../../src/main/store/database'
import type { ProjectPaths } from '../../src/main/store/projectFolder'
import { celebaSampleDir, sharedDataAvailable } from '../support/sharedData'
import {
  buildCelebaFolder,
  SAMPLE_IMAGES,
  sampleLabels,
  sampleName,
} from '../support/celebaFixtures'
import { makeTempDir } from '../support/tempDir'

const available = sharedDataAvailable()

/** The pixels a slot must hold: the photo decoded, its centred 148×148 resized to 64×64. */
async function expectedSlot(file: string): Promise<Uint8Array> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true })
  const out = new Uint8Array(64 * 64 * 3)
  cropResize(data, info.width, info.channels, { left: 15, top: 35, side: 148 }, 64, out)
  return out
}

function project(dir: string): { db: Db; paths: ProjectPaths } {
  return openProjectFolder(dir)
}

describe.runIf(available)('ingest the real CelebA sample (original layout)', () => {
  const temp = makeTempDir('ingest-sample-')
  let db: Db
  let paths: ProjectPaths
  const phases = new Set<string>()

  beforeAll(async () => {
    ;({ db, paths } = project(join(temp.dir, 'project')))
    await ingestDataset(db, paths, celebaSampleDir, {
      size: 64,
      onProgress: (u: ProgressUpdate) => phases.add(u.phase),
    })
  })
  afterAll(() => {
    db.close()
    temp.cleanup()
  })

  it('matches the counts of the annotation files', async () => {
    const { names, rows } = sampleLabels()
    const summary = datasetSummary(db)
    expect(summary.images).toBe(rows.size)
    expect(summary.layout).toBe('celeba')
    const partition = readFileSync(join(celebaSampleDir, 'list_eval_partition.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
    expect(summary.splits.train).toBe(partition.filter((l) => l.trim().endsWith(' 0')).length)
    expect(summary.attributeNames).toEqual(names)
    names.forEach((name, i) => {
      const ones = [...rows.values()].filter((v) => v[i] === 1).length
      expect(summary.attributes[name]).toBe(ones)
    })
    expect(summary.problemCount).toBe(0)
    expect([...phases]).toEqual(expect.arrayContaining(['scan', 'annotations', 'preprocess']))
  })

  it('answers attribute and split filters with the same count as the file', () => {
    const { names, rows } = sampleLabels()
    const male = names.indexOf('Male')
    const smiling = names.indexOf('Smiling')
    const expected = [...rows.entries()].filter(([, v]) => v[male] === 1 && v[smiling] === -1)
    const page = queryImages(
      db,
      datasetQuerySchema.parse({
        filters: [
          { attribute: 'Male', value: 1 },
          { attribute: 'Smiling', value: -1 },
        ],
        limit: 3,
        offset: 1,
      }),
    )
    expect(page.total).toBe(expected.length)
    expect(page.items.map((item) => item.file)).toEqual(expected.slice(1, 4).map(([file]) => file))
    expect(queryImages(db, datasetQuerySchema.parse({ split: 'test' })).total).toBe(0)
    expect(queryImages(db, datasetQuerySchema.parse({ split: 'train' })).total).toBe(32)
    expect(() =>
      queryImages(db, datasetQuerySchema.parse({ filters: [{ attribute: 'Wings', value: 1 }] })),
    ).toThrow(/unknown attribute "Wings"/)
  })

  it('finds one image by its file name', () => {
    const byName = queryImages(db, datasetQuerySchema.parse({ file: '000017.jpg' }))
    expect(byName.total).toBe(1)
    expect(byName.items[0]?.file).toMatch(/(^|\/)000017\.jpg$/)
    expect(queryImages(db, datasetQuerySchema.parse({ file: '999999.jpg' })).total).toBe(0)
  })

  it('reads batches of the packed cache by image id, in the order asked', async () => {
    const cache = openImageCache(db, paths, 64)
    try {
      expect(cache.count).toBe(32)
      const ids = cache.imageIds('train')
      expect(ids).toHaveLength(32)
      const page = queryImages(db, datasetQuerySchema.parse({ limit: 32 }))
      const fileOf = new Map(page.items.map((item) => [item.id, item.file]))
      const wanted = [ids[5]!, ids[0]!, ids[1]!, ids[31]!]
      const batch = await cache.readBatch(wanted)
      expect(batch.length).toBe(4 * 64 * 64 * 3)
      for (const [k, id] of wanted.entries()) {
        const expected = await expectedSlot(join(SAMPLE_IMAGES, fileOf.get(id)!))
        expect(
          Buffer.from(batch.subarray(k * 12288, (k + 1) * 12288)).equals(Buffer.from(expected)),
        ).toBe(true)
      }
      // Independently of our resampler: close to libvips' own crop and resize.
      const reference = await sharp(join(SAMPLE_IMAGES, fileOf.get(ids[0]!)!))
        .extract({ left: 15, top: 35, width: 148, height: 148 })
        .resize(64, 64)
        .raw()
        .toBuffer()
      let diff = 0
      for (let i = 0; i < reference.length; i++) diff += Math.abs(reference[i]! - batch[12288 + i]!)
      expect(diff / reference.length).toBeLessThan(4)
      await expect(cache.readBatch([9999])).rejects.toThrow(/no valid slot/)
    } finally {
      await cache.close()
    }
  })

  it('makes a thumbnail from the cache slot', async () => {
    const cache = openImageCache(db, paths, 64)
    const id = cache.imageIds()[2]!
    const slot = await cache.readBatch([id])
    await cache.close()
    const png = await thumbnail(db, paths, id)
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height, info.channels]).toEqual([64, 64, 3])
    expect(Buffer.from(data).equals(Buffer.from(slot))).toBe(true)
    await expect(thumbnail(db, paths, 4242)).rejects.toThrow(/no cached pixels/)
  })
})

describe('EXIF orientation', () => {
  const temp = makeTempDir('ingest-orientation-')

  it('still rotates a photo whose EXIF says so, and decodes upright ones as they are', async () => {
    // A 40×30 gradient saved with orientation 6: it must come out 30×40, turned.
    const raw = Buffer.alloc(40 * 30 * 3)
    for (let i = 0; i < 40 * 30; i++) raw.fill((i % 40) * 6, i * 3, i * 3 + 3)
    const base = sharp(raw, { raw: { width: 40, height: 30, channels: 3 } })
    const turned = join(temp.dir, 'turned.jpg')
    const upright = join(temp.dir, 'upright.jpg')
    await base.clone().jpeg().withMetadata({ orientation: 6 }).toFile(turned)
    await base.clone().jpeg().toFile(upright)
    expect(jpegOrientation(readFileSync(turned))).toBe(6)
    expect(jpegOrientation(readFileSync(upright))).toBe(1)
    for (const [file, width] of [
      [turned, 30],
      [upright, 40],
    ] as const) {
      const result = await preprocessImage(file, 16, { kind: 'center', fraction: 1 })
      if (!result.ok) throw new Error(result.reason)
      expect(result.width).toBe(width)
      const { data, info } = await sharp(file)
        .autoOrient()
        .raw()
        .toBuffer({ resolveWithObject: true })
      const expected = new Uint8Array(16 * 16 * 3)
      const side = Math.min(info.width, info.height)
      const box = {
        left: Math.floor((info.width - side) / 2),
        top: Math.floor((info.height - side) / 2),
        side,
      }
      cropResize(data, info.width, info.channels, box, 16, expected)
      expect(Buffer.from(result.pixels).equals(Buffer.from(expected))).toBe(true)
    }
  })
})

describe.runIf(available)('layouts', () => {
  const temp = makeTempDir('ingest-layouts-')
  afterAll(() => temp.cleanup())
  const { names, rows } = sampleLabels()
  const files = [...rows.keys()].slice(0, 8)

  it("reads Kaggle's layout: nested image folder, CSV with BOM and 0/1 values", async () => {
    const root = join(temp.dir, 'kaggle')
    const images = join(root, 'img_align_celeba', 'img_align_celeba')
    mkdirSync(images, { recursive: true })
    for (const file of files) copyFileSync(join(SAMPLE_IMAGES, file), join(images, file))
    const attr = ['image_id,' + names.join(',')]
    for (const file of files)
      attr.push(
        `${file},${rows
          .get(file)!
          .map((v) => (v === 1 ? 1 : 0))
          .join(',')}`,
      )
    writeFileSync(join(root, 'list_attr_celeba.csv'), `\ufeff${attr.join('\r\n')}\r\n`)
    const split = [
      'image_id,partition',
      ...files.map((f, i) => `${f},${i < 4 ? 0 : i < 6 ? 1 : 2}`),
    ]
    writeFileSync(join(root, 'list_eval_partition.csv'), `${split.join('\r\n')}\r\n`)

    for (const pointAt of [root, images, join(root, 'img_align_celeba')]) {
      const { db, paths } = project(join(temp.dir, `kaggle-project-${pointAt.length}`))
      const result = await ingestDataset(db, paths, pointAt, { size: 64 })
      expect(datasetSummary(db).layout).toBe('celeba-kaggle')
      expect(result.images).toBe(8)
      expect(result.splits).toEqual({ train: 4, validation: 2, test: 2, unassigned: 0 })
      const smiling = names.indexOf('Smiling')
      expect(result.attributes.Smiling).toBe(
        files.filter((f) => rows.get(f)![smiling] === 1).length,
      )
      expect(result.problems).toEqual([])
      db.close()
    }
  })

  it('accepts the image folder itself instead of its parent', async () => {
    const { db, paths } = project(join(temp.dir, 'pointed'))
    const result = await ingestDataset(db, paths, SAMPLE_IMAGES, { size: 64 })
    expect(result.images).toBe(32)
    expect(Object.keys(result.attributes)).toEqual(names)
    // The root is stored as its real path, so ../shared may itself be a link.
    expect(datasetSummary(db).root).toBe(realpathSync(celebaSampleDir))
    db.close()
  })

  it('reads a plain nested folder of jpg, png and webp without annotations', async () => {
    const root = join(temp.dir, 'plain')
    mkdirSync(join(root, 'a', 'b'), { recursive: true })
    copyFileSync(join(SAMPLE_IMAGES, files[0]!), join(root, 'one.jpg'))
    await sharp(join(SAMPLE_IMAGES, files[1]!))
      .png()
      .toFile(join(root, 'a', 'two.png'))
    await sharp(join(SAMPLE_IMAGES, files[2]!))
      .webp()
      .toFile(join(root, 'a', 'b', 'three.webp'))
    await sharp(join(SAMPLE_IMAGES, files[3]!))
      .resize(300, 200)
      .grayscale()
      .png()
      .toFile(join(root, 'a', 'b', 'wide.PNG'))
    writeFileSync(join(root, 'notes.txt'), 'not an image, ignored')
    const { db, paths } = project(join(temp.dir, 'plain-project'))
    const result = await ingestDataset(db, paths, root, { size: 128 })
    expect(result.images).toBe(4)
    expect(result.splits.unassigned).toBe(4)
    expect(result.attributes).toEqual({})
    expect(result.problems).toEqual([])
    const page = queryImages(db, datasetQuerySchema.parse({}))
    expect(page.items.map((i) => i.file).sort()).toEqual([
      'a/b/three.webp',
      'a/b/wide.PNG',
      'a/two.png',
      'one.jpg',
    ])
    const cache = openImageCache(db, paths, 128)
    // The grey wide image: centred 200×200 square, grey spread to three equal channels.
    const wide = page.items.find((i) => i.file === 'a/b/wide.PNG')!
    const px = await cache.readBatch([wide.id])
    await cache.close()
    expect(px.length).toBe(128 * 128 * 3)
    expect(px[300]).toBe(px[301])
    expect(px[301]).toBe(px[302])
    db.close()
  })

  it('fails clearly on a folder without images', async () => {
    const empty = join(temp.dir, 'empty')
    mkdirSync(join(empty, 'sub'), { recursive: true })
    writeFileSync(join(empty, 'readme.txt'), 'nothing here')
    const { db, paths } = project(join(temp.dir, 'empty-project'))
    await expect(ingestDataset(db, paths, empty, { size: 64 })).rejects.toThrow(NoImagesError)
    await expect(ingestDataset(db, paths, empty, { size: 64 })).rejects.toThrow(/no images found/)
    db.close()
  })
})

describe.runIf(available)('bad input is reported and skipped', () => {
  const temp = makeTempDir('ingest-bad-')
  afterAll(() => temp.cleanup())

  it('records every bad file with its reason and ingests the rest', async () => {
    const root = join(temp.dir, 'celeba')
    buildCelebaFolder(root, 6)
    const images = join(root, 'img_align_celeba')
    const jpeg = readFileSync(join(SAMPLE_IMAGES, sampleName(0)))
    writeFileSync(join(images, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)))
    const corrupt = Buffer.from(jpeg)
    corrupt.fill(0x00, 600, corrupt.length - 2)
    writeFileSync(join(images, 'corrupt.jpg'), corrupt)
    writeFileSync(join(images, 'empty.jpg'), '')
    writeFileSync(join(images, 'text.jpg'), 'this is a text file, not a JPEG\n')
    await sharp({ create: { width: 10000, height: 10000, channels: 3, background: '#808080' } })
      .toColourspace('b-w')
      .jpeg({ quality: 50 })
      .toFile(join(images, 'huge.jpg'))
    // Root reads any chmod 000 file, so a FIFO stands in for a file that cannot be read.
    execFileSync('mkfifo', [join(images, 'pipe.jpg')])
    symlinkSync('loop.jpg', join(images, 'loop.jpg'))
    mkdirSync(join(images, 'sub'))
    symlinkSync('..', join(images, 'sub', 'up'))
    // Attribute rows: a wrong count, a bad value, a row for a missing file; 000006 loses its row.
    const attrFile = join(root, 'list_attr_celeba.txt')
    const lines = readFileSync(attrFile, 'utf8').trimEnd().split('\n')
    lines[3] = lines[3]!.replace(/ -?1$/, '') // 000002: 39 values
    lines[4] = lines[4]!.replace(/^(\S+\s+)-?1/, '$12') // 000003: a value of 2
    lines[7] = 'missing.jpg' + lines[7]!.slice(10) // 000006's row now names a missing file
    writeFileSync(attrFile, `${lines.join('\n')}\n`)

    const { db, paths } = project(join(temp.dir, 'project'))
    const result = await ingestDataset(db, paths, root, { size: 64 })
    const reasonFor = (file: string): string =>
      result.problems
        .filter((p) => p.file === file)
        .map((p) => p.reason)
        .join(' | ')

    expect(result.images).toBe(6)
    expect(reasonFor('img_align_celeba/truncated.jpg')).toMatch(/corrupt or truncated/)
    expect(reasonFor('img_align_celeba/corrupt.jpg')).toMatch(/corrupt|decoded/)
    expect(reasonFor('img_align_celeba/empty.jpg')).toMatch(/empty file/)
    expect(reasonFor('img_align_celeba/text.jpg')).toMatch(/not an image/)
    expect(reasonFor('img_align_celeba/huge.jpg')).toMatch(/10000×10000.*limit/)
    expect(reasonFor('img_align_celeba/pipe.jpg')).toMatch(/FIFO.*cannot be read/)
    expect(reasonFor('img_align_celeba/loop.jpg')).toMatch(/symbolic link loop/)
    expect(reasonFor('img_align_celeba/sub/up')).toMatch(/symbolic link loop/)
    const attrProblems = result.problems.filter((p) => p.file === 'list_attr_celeba.txt')
    expect(attrProblems.filter((p) => p.line !== undefined).map((p) => p.line)).toEqual([4, 5])
    expect(attrProblems.map((p) => p.reason).join('\n')).toMatch(/expected 40 values.*found 39/)
    expect(attrProblems.map((p) => p.reason).join('\n')).toMatch(/"2"/)
    expect(attrProblems.map((p) => p.reason).join('\n')).toMatch(
      /not in the image folder: missing\.jpg/,
    )
    for (const name of [sampleName(1), sampleName(2), sampleName(5)]) {
      expect(reasonFor(`img_align_celeba/${name}`)).toMatch(/without an attribute row/)
    }
    const summary = datasetSummary(db)
    expect(summary.problemCount).toBe(result.problems.length)
    expect(summary.problems).toEqual(result.problems)
    // Images without an attribute row are still ingested, just left out of attribute filters.
    expect(queryImages(db, datasetQuerySchema.parse({})).total).toBe(6)
    const everyone =
      queryImages(db, datasetQuerySchema.parse({ filters: [{ attribute: 'Male', value: 1 }] }))
        .total +
      queryImages(db, datasetQuerySchema.parse({ filters: [{ attribute: 'Male', value: -1 }] }))
        .total
    expect(everyone).toBe(3)

    // Unchanged bad files are not decoded again, and their problems stay listed.
    const again = await ingestDataset(db, paths, root, { size: 64 })
    expect(again.stats.processed).toBe(0)
    expect(again.problems).toEqual(result.problems)
    rmSync(join(images, 'pipe.jpg'))
    db.close()
  })
})

describe.runIf(available)('incremental ingest and cancellation', () => {
  const temp = makeTempDir('ingest-incremental-')
  afterAll(() => temp.cleanup())

  it('processes only new and changed files, and forgets removed ones', async () => {
    const root = join(temp.dir, 'celeba')
    buildCelebaFolder(root, 32)
    const images = join(root, 'img_align_celeba')
    const { db, paths } = project(join(temp.dir, 'project'))
    const first = await ingestDataset(db, paths, root, { size: 64 })
    expect(first.stats).toMatchObject({ added: 32, processed: 32, reused: 0 })

    const unchanged = await ingestDataset(db, paths, root, { size: 64 })
    expect(unchanged.stats).toMatchObject({
      added: 0,
      changed: 0,
      removed: 0,
      processed: 0,
      reused: 32,
    })

    const later = new Date(Date.now() + 60_000)
    utimesSync(join(images, sampleName(3)), later, later) // touched
    copyFileSync(join(SAMPLE_IMAGES, sampleName(20)), join(images, sampleName(4))) // replaced
    rmSync(join(images, sampleName(5))) // removed
    copyFileSync(join(SAMPLE_IMAGES, sampleName(9)), join(images, 'extra.jpg')) // added
    const totals: number[] = []
    const third = await ingestDataset(db, paths, root, {
      size: 64,
      onProgress: (u) => {
        if (u.phase === 'preprocess') totals.push(u.total)
      },
    })
    expect(third.stats).toMatchObject({
      added: 1,
      changed: 2,
      removed: 1,
      processed: 3,
      reused: 29,
    })
    expect(new Set(totals)).toEqual(new Set([3]))
    expect(third.images).toBe(32)
    expect(third.splits.unassigned).toBe(1) // extra.jpg has no partition row
    expect(third.problems.map((p) => p.reason).join('\n')).toMatch(
      /not in the image folder: 000006\.jpg/,
    )

    const page = queryImages(db, datasetQuerySchema.parse({ limit: 100 }))
    const id = page.items.find((i) => i.file === sampleName(4))!.id
    const cache = openImageCache(db, paths, 64)
    const pixels = await cache.readBatch([id])
    await cache.close()
    const expected = await expectedSlot(join(SAMPLE_IMAGES, sampleName(20)))
    expect(Buffer.from(pixels).equals(Buffer.from(expected))).toBe(true)
    db.close()
  })

  it('writes the same cache from worker threads as from this thread', async () => {
    const root = join(temp.dir, 'threads')
    buildCelebaFolder(root, 40)
    const files: Buffer[] = []
    for (const threads of [0, 2]) {
      const { db, paths } = project(join(temp.dir, `threads-${threads}`))
      const result = await ingestDataset(db, paths, root, { size: 64, threads })
      expect(result.images).toBe(40)
      db.close()
      files.push(readFileSync(join(paths.cache, 'faces-64-celeba.rgb')))
    }
    expect(files[0]!.length).toBe(40 * 64 * 64 * 3)
    expect(files[0]!.equals(files[1]!)).toBe(true)
    // …and the workers really started here, rather than falling back to this thread.
    const { db, paths } = project(join(temp.dir, 'threads-2'))
    const cache = findCache(db, paths, 64)!
    const writer = await CacheWriter.open(cache, 1)
    const pool = await startPreprocessor({
      cacheFile: cache.file,
      size: 64,
      crop: DEFAULT_CROP,
      threads: 2,
      writer,
    })
    expect(pool.parallelism).toBe(4)
    await pool.close()
    await writer.close()
    db.close()
  })

  it('stops on cancel, keeps finished slots, and resumes without redoing them', async () => {
    const root = join(temp.dir, 'cancel')
    buildCelebaFolder(root, 32)
    const { db, paths } = project(join(temp.dir, 'cancel-project'))
    const controller = new AbortController()
    await expect(
      ingestDataset(db, paths, root, {
        size: 64,
        threads: 0,
        signal: controller.signal,
        onProgress: (u) => {
          if (u.phase === 'preprocess' && u.done >= 1) controller.abort()
        },
      }),
    ).rejects.toThrow(CancelledError)
    const kept = (db.prepare('SELECT count(*) AS n FROM cache_slots').get() as { n: number }).n
    expect(kept).toBeGreaterThanOrEqual(1)
    expect(kept).toBeLessThan(32)
    const resumed = await ingestDataset(db, paths, root, { size: 64 })
    expect(resumed.stats.processed).toBe(32 - kept)
    expect(resumed.images).toBe(32)
    const splits: Record<Split, number> = resumed.splits
    expect(splits.train + splits.validation + splits.test).toBe(32)
    db.close()
  })
})
