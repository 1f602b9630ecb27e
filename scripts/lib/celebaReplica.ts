/**
 * A CelebA-layout folder of any size made from the 32 real photos of ../shared/celeba-sample:
 * image i is a hard link to photo i mod 32 (a copy across file systems), its attribute row is the
 * sample's row i mod 32 renamed, and the split follows CelebA's 80/10/10. Hard links make all
 * 202,599 files cost no disk, while every file is still opened, read and decoded on its own.
 */
import { copyFileSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const sharedDir = resolve(root, '..', 'shared')
export const sampleDir = join(sharedDir, 'celeba-sample')

export const celebaName = (i: number): string => `${String(i + 1).padStart(6, '0')}.jpg`

export function buildCelebaReplica(dir: string, count: number): void {
  const attrLines = readFileSync(join(sampleDir, 'list_attr_celeba.txt'), 'utf8').split('\n')
  const header = attrLines[1] as string
  const rows = attrLines.slice(2).filter((line) => line.trim().length > 0)
  const images = join(dir, 'img_align_celeba')
  mkdirSync(images, { recursive: true })
  const attr = [String(count), header]
  const partition: string[] = []
  for (let i = 0; i < count; i++) {
    const source = join(sampleDir, 'img_align_celeba', celebaName(i % 32))
    const target = join(images, celebaName(i))
    try {
      linkSync(source, target)
    } catch {
      copyFileSync(source, target)
    }
    attr.push((rows[i % rows.length] as string).replace(/^\S+/, celebaName(i)))
    partition.push(`${celebaName(i)} ${i % 10 < 8 ? 0 : i % 10 === 8 ? 1 : 2}`)
  }
  writeFileSync(join(dir, 'list_attr_celeba.txt'), `${attr.join('\n')}\n`)
  writeFileSync(join(dir, 'list_eval_partition.txt'), `${partition.join('\n')}\n`)
}
