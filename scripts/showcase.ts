/**
 * A real-face showcase made through the command line the way a user would: ingest a CelebA folder at
 * 64×64, train classic-64, encode, then write a reconstruction grid, prior samples, a Smiling strip
 * and a morph GIF. The Smiling strip needs attribute labels: from the dataset itself, or from a
 * second labelled CelebA folder (`--labelled DIR`) that the trained model encodes afterwards.
 * Usage: npm run showcase -- --dataset DIR [--labelled DIR] [--steps N] [--seed S] [--out DIR]
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { basename, join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import { parseAttributes } from '../src/main/dataset/annotations/attributes'
import { detectLayout } from '../src/main/dataset/layout'

const repoRoot = resolve(import.meta.dirname, '..')
const cli = join(repoRoot, 'bin', 'face-studio.js')

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    labelled: { type: 'string' },
    steps: { type: 'string', default: '600' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: join(repoRoot, 'docs', 'showcase') },
  },
})
if (!values.dataset) {
  process.stderr.write(
    'usage: npm run showcase -- --dataset DIR [--labelled DIR] [--steps N] [--seed S] [--out DIR]\n',
  )
  process.exit(2)
}
const steps = Number(values.steps)
const seed = Number(values.seed)
if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(seed) || seed < 0) {
  process.stderr.write('--steps must be a positive whole number and --seed a whole number ≥ 0\n')
  process.exit(2)
}
const dataset = resolve(values.dataset)
const outDir = resolve(values.out)
mkdirSync(outDir, { recursive: true })
const work = mkdtempSync(join(tmpdir(), 'face-studio-showcase-'))
const project = join(work, 'project')

/** 256-colour PNGs: a third of the size of the CLI's figures, and blurry faces lose nothing visible. */
const COMPACT_PNG = { palette: true, quality: 90, compressionLevel: 9 } as const

const log = (line: string): void => void process.stdout.write(`${line}\n`)

/** `face-studio ARGS --json`: the command's JSON result, or its own error message. */
function faceStudio(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [cli, ...args, '--json'],
      { cwd: repoRoot, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          fail(new Error(`face-studio ${args[0]} failed: ${stderr.trim().split('\n').at(-1)}`))
          return
        }
        done(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>)
      },
    )
  })
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<{ value: T; s: number }> {
  const start = performance.now()
  const value = await work()
  const s = (performance.now() - start) / 1000
  log(`${what}: ${s.toFixed(1)} s`)
  return { value, s }
}

/** The dataset's image files in name order, as the project names them. */
function imageFiles(dir: string): string[] {
  return readdirSync(detectLayout(dir).imageDir)
    .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
    .sort()
}

/** `count` files spread evenly over the list, so the grid is not one identity's photos. */
function spread(files: string[], count: number): string[] {
  return Array.from({ length: count }, (_, k) => files[Math.floor((k * files.length) / count)]!)
}

/** Files whose Smiling label is −1, from the folder's attribute file (none without one). */
function notSmiling(dir: string): string[] {
  const file = detectLayout(dir).attributes
  if (!file) return []
  const parsed = parseAttributes(readFileSync(file, 'utf8'), basename(file))
  const k = parsed.names.indexOf('Smiling')
  if (k < 0) return []
  const a = parsed.names.length
  return parsed.files.filter((_, row) => parsed.values[row * a + k] === -1)
}

async function smilingStrip(labelledDir: string): Promise<string> {
  const vectors = await faceStudio(['vectors', '--project', project])
  const attributes = vectors.attributes as Record<string, { auc: number | null }>
  const faces = spread(notSmiling(labelledDir), 3)
  const strips = []
  for (const [k, id] of faces.entries()) {
    const file = join(work, `smiling-${k}.png`)
    await faceStudio(
      ['edit', '--project', project, '--id', id, '--attr', 'Smiling'].concat([
        '--strength',
        '-3:3:7',
        '--out',
        file,
      ]),
    )
    strips.push(file)
  }
  await stackPngs(strips, join(outDir, 'smiling.png'))
  return `Smiling AUC ${attributes.Smiling?.auc?.toFixed(3) ?? 'n/a'} on ${String(vectors.aucSplit)}; faces ${faces.join(', ')}`
}

async function stackPngs(files: string[], out: string): Promise<void> {
  const images = await Promise.all(
    files.map((f) => sharp(f).raw().toBuffer({ resolveWithObject: true })),
  )
  const width = Math.max(...images.map((i) => i.info.width))
  const height = images.reduce((sum, i) => sum + i.info.height, 0)
  let top = 0
  const layers = images.map((image) => {
    const layer = { input: image.data, raw: image.info, top, left: 0 }
    top += image.info.height
    return layer
  })
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(layers)
    .png(COMPACT_PNG)
    .toFile(out)
}

async function compactPng(file: string): Promise<void> {
  const png = await sharp(file).png(COMPACT_PNG).toBuffer()
  writeFileSync(file, png)
}

async function main(): Promise<void> {
  log(`showcase of ${dataset} → ${outDir}`)
  log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0]?.toFixed(2)}`,
  )
  const ingest = await timed('ingest at 64×64', () =>
    faceStudio(['ingest', dataset, '--project', project, '--size', '64']),
  )
  const train = await timed(`train classic-64, ${steps} steps of 32, seed ${seed}`, () =>
    faceStudio(
      ['train', '--project', project, '--preset', 'classic-64'].concat([
        '--steps',
        String(steps),
        '--seed',
        String(seed),
      ]),
    ),
  )
  const encode = await timed('encode', () => faceStudio(['encode', '--project', project]))

  const files = imageFiles(dataset)
  const shown = spread(files, 10)
  await faceStudio(
    ['reconstruct', '--project', project, '--ids', shown.join(',')].concat([
      '--out',
      join(outDir, 'reconstructions.png'),
    ]),
  )
  await faceStudio(
    ['sample', '--project', project, '--count', '16', '--seed', '7'].concat([
      '--out',
      join(outDir, 'samples.png'),
    ]),
  )
  await compactPng(join(outDir, 'reconstructions.png'))
  await compactPng(join(outDir, 'samples.png'))
  const [from, to] = [shown[1]!, shown[6]!]
  await faceStudio(
    ['morph', '--project', project, '--from', from, '--to', to, '--frames', '24'].concat(
      ['--slerp', '--ease', 'in-out', '--hold', '4', '--pingpong', '--size', '128'],
      ['--out', join(outDir, 'morph.gif')],
    ),
  )

  const labelled = Object.keys(ingest.value.attributes as object).length > 0 ? dataset : null
  let smiling = 'no attribute labels in the dataset: no Smiling strip (pass --labelled DIR)'
  if (labelled) smiling = await smilingStrip(labelled)
  else if (values.labelled) {
    // The trained model stays with the project; the labelled faces replace the dataset and are
    // encoded with it, so the Smiling direction is measured in the same latent space.
    const other = resolve(values.labelled)
    await timed(`ingest ${other} and encode it with the trained model`, async () => {
      await faceStudio(['ingest', other, '--project', project, '--size', '64'])
      await faceStudio(['encode', '--project', project])
    })
    smiling = await smilingStrip(other)
  }

  const summary = {
    dataset: relative(repoRoot, dataset),
    labelled: values.labelled ? relative(repoRoot, resolve(values.labelled)) : null,
    images: ingest.value.images,
    preset: 'classic-64',
    steps,
    batchSize: 32,
    seed,
    backend: train.value.backend,
    finalLoss: train.value.finalLoss,
    trainSeconds: Math.round(train.s),
    imagesPerSecond: train.value.imagesPerSecond,
    ingestSeconds: Math.round(ingest.s),
    encodeSeconds: Math.round(encode.s),
    reconstructed: shown,
    morph: [from, to],
    smiling,
  }
  writeFileSync(join(outDir, 'showcase.json'), `${JSON.stringify(summary, null, 2)}\n`)
  log(smiling)
  log(
    `trained ${steps} steps (batch 32, seed ${seed}) on ${String(ingest.value.images)} faces in ${summary.trainSeconds} s on ${String(train.value.backend)}, ${Number(train.value.imagesPerSecond).toFixed(1)} images/s`,
  )
  log(`wrote ${readdirSync(outDir).join(', ')} to ${outDir}`)
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exitCode = 1
  })
  .finally(() => rmSync(work, { recursive: true, force: true }))
