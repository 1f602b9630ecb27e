/**
 * Ingest speed: replicates the 32 real CelebA photos of ../shared/celeba-sample (178×218 JPEGs) into
 * a temporary CelebA-layout folder with matching annotation files, ingests it into a fresh project at
 * 64×64, and reports images per second (scan + labels + decode + cache + SQLite, end to end). Also
 * times parsing the full-size annotation files of ../shared/celeba-annotations (the attribute file is
 * replicated to 202,599 rows). Usage:
 *   npm run bench:ingest -- [--images N] [--threads K] [--size 64|128] [--json]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { parseAttributes } from '../src/main/dataset/annotations/attributes'
import { parseIdentities, parsePartition } from '../src/main/dataset/annotations/keyValue'
import { ingestDataset } from '../src/main/dataset/ingest'
import { openProjectFolder } from '../src/main/store/projectFolder'
import { buildCelebaReplica, celebaName } from './lib/celebaReplica'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const shared = resolve(root, '..', 'shared')
const annotationsDir = join(shared, 'celeba-annotations')

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const json = process.argv.includes('--json')
const count = Number(flag('images') ?? 3000)
const size = Number(flag('size') ?? 64) as 64 | 128
const threadsFlag = flag('threads')
const threads = threadsFlag ? Number(threadsFlag) : undefined
const log = (message: string): void => {
  process.stderr.write(`${message}\n`)
}

const name = celebaName

function timeParse(): { partitionMs: number; identityMs: number; attributesMs: number } {
  const time = (fn: () => unknown): number => {
    const start = performance.now()
    fn()
    return performance.now() - start
  }
  const partition = readFileSync(join(annotationsDir, 'list_eval_partition.txt'), 'utf8')
  const identity = readFileSync(join(annotationsDir, 'identity_CelebA.txt'), 'utf8')
  const attrLines = readFileSync(join(annotationsDir, 'list_attr_celeba_first6128.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
  const header = attrLines[1] as string
  const rows = attrLines.slice(2)
  const full = ['202599', header]
  for (let i = 0; i < 202_599; i++) {
    full.push((rows[i % rows.length] as string).replace(/^\S+/, name(i)))
  }
  const attrText = `${full.join('\n')}\n`
  const partitionMs = time(() => parsePartition(partition, 'list_eval_partition.txt'))
  const identityMs = time(() => parseIdentities(identity, 'identity_CelebA.txt'))
  const attributesMs = time(() => {
    const parsed = parseAttributes(attrText, 'list_attr_celeba.txt')
    if (parsed.files.length !== 202_599) throw new Error(`parsed ${parsed.files.length} rows`)
  })
  return { partitionMs, identityMs, attributesMs }
}

/**
 * The reference the target is stated against: one sharp pipeline (crop + resize to raw), one image
 * at a time, over the same files. Measured in the same run, so machine load affects both alike.
 */
async function singlePipelineRate(
  images: string,
  n: number,
): Promise<{ rate: number; cpuMsPerImage: number }> {
  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    await sharp(join(images, name(i)))
      .extract({ left: 15, top: 35, width: 148, height: 148 })
      .resize(size, size)
      .raw()
      .toBuffer()
  }
  const cpu = process.cpuUsage(cpuBefore)
  return {
    rate: n / ((performance.now() - start) / 1000),
    cpuMsPerImage: (cpu.user + cpu.system) / 1000 / n,
  }
}

const work = mkdtempSync(join(tmpdir(), 'bench-ingest-'))
try {
  log(`building ${count} images (the 32 sample photos replicated) in ${work}`)
  const datasetDir = join(work, 'celeba')
  buildCelebaReplica(datasetDir, count)
  const { paths, db } = openProjectFolder(join(work, 'project'))
  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  const result = await ingestDataset(db, paths, datasetDir, { size, threads })
  const seconds = (performance.now() - start) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  // CPU time per image is what the machine's load cannot distort: 2 cores give 2000 ms per second.
  const cpuMsPerImage = (cpu.user + cpu.system) / 1000 / count
  db.close()
  if (result.images !== count) throw new Error(`ingested ${result.images} of ${count} images`)
  const imagesPerSecond = Math.round(count / seconds)
  const single = await singlePipelineRate(
    join(datasetDir, 'img_align_celeba'),
    Math.min(count, 600),
  )
  const baseline = Math.round(single.rate)
  const parse = timeParse()
  log(
    `${count} images → ${size}×${size} in ${seconds.toFixed(2)} s: ${imagesPerSecond} images/s ` +
      `(${availableParallelism()} cores, threads ${threads ?? 'default'}; ` +
      `${cpuMsPerImage.toFixed(2)} ms CPU per image, load average ${loadavg()[0]?.toFixed(1)})`,
  )
  log(
    `one sharp pipeline, one image at a time: ${baseline} images/s (ingest is ${(imagesPerSecond / baseline).toFixed(2)}×); ${single.cpuMsPerImage.toFixed(2)} ms CPU per image`,
  )
  log(
    `parse 202,599 rows: partition ${parse.partitionMs.toFixed(0)} ms, identities ${parse.identityMs.toFixed(0)} ms, attributes ${parse.attributesMs.toFixed(0)} ms`,
  )
  const summary = {
    imagesPerSecond,
    images: count,
    seconds: Math.round(seconds * 100) / 100,
    singlePipelineImagesPerSecond: baseline,
    speedupOverSinglePipeline: Math.round((imagesPerSecond / baseline) * 100) / 100,
    singlePipelineCpuMsPerImage: Math.round(single.cpuMsPerImage * 1000) / 1000,
    cpuMsPerImage: Math.round(cpuMsPerImage * 1000) / 1000,
    loadAverage: loadavg()[0],
    size,
    cores: availableParallelism(),
    parseMs: {
      partition: Math.round(parse.partitionMs),
      identities: Math.round(parse.identityMs),
      attributes: Math.round(parse.attributesMs),
    },
  }
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
