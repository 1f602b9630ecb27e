/** Small CelebA-style folders built from the real sample in ../shared, for the dataset tests. */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { celebaSampleDir } from './sharedData'

export const SAMPLE_IMAGES = join(celebaSampleDir, 'img_align_celeba')

export function sampleName(i: number): string {
  return `${String(i + 1).padStart(6, '0')}.jpg`
}

/** The sample's attribute file as names and rows (file → values), read independently of the parser. */
export function sampleLabels(): { names: string[]; rows: Map<string, number[]> } {
  const lines = readFileSync(join(celebaSampleDir, 'list_attr_celeba.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
  const names = (lines[1] as string).trim().split(/\s+/)
  const rows = new Map<string, number[]>()
  for (const line of lines.slice(2)) {
    const [file, ...values] = line.trim().split(/\s+/)
    rows.set(file as string, values.map(Number))
  }
  return { names, rows }
}

/** An original-layout CelebA folder of `count` images, the 32 sample photos repeated. */
export function buildCelebaFolder(dir: string, count = 32): void {
  const { names, rows } = sampleLabels()
  const sampleRows = [...rows.values()]
  const images = join(dir, 'img_align_celeba')
  mkdirSync(images, { recursive: true })
  const attr = [String(count), names.join(' ')]
  const partition: string[] = []
  for (let i = 0; i < count; i++) {
    copyFileSync(join(SAMPLE_IMAGES, sampleName(i % 32)), join(images, sampleName(i)))
    attr.push(`${sampleName(i)} ${(sampleRows[i % 32] as number[]).join(' ')}`)
    partition.push(`${sampleName(i)} ${i % 3}`)
  }
  writeFileSync(join(dir, 'list_attr_celeba.txt'), `${attr.join('\n')}\n`)
  writeFileSync(join(dir, 'list_eval_partition.txt'), `${partition.join('\n')}\n`)
}
