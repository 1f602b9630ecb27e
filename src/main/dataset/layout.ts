/**
 * Finds where a dataset's images and annotation files are: the original CelebA layout, Kaggle's
 * (images one folder deeper, CSV annotations), a plain folder of images, or the user pointing at the
 * image folder itself instead of its parent.
 */
import { existsSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

export type LayoutKind = 'celeba' | 'celeba-kaggle' | 'folder'

export interface DatasetLayout {
  kind: LayoutKind
  /** the dataset's folder (where the annotation files are) */
  root: string
  /** the folder the images are scanned from */
  imageDir: string
  attributes: string | null
  partition: string | null
  identities: string | null
}

const IMAGE_FOLDER = 'img_align_celeba'
const ANNOTATIONS = {
  attributes: ['list_attr_celeba.txt', 'list_attr_celeba.csv'],
  partition: ['list_eval_partition.txt', 'list_eval_partition.csv'],
  identities: ['identity_CelebA.txt', 'identity_CelebA.csv', 'identity_celeba.txt'],
}

export function detectLayout(datasetDir: string): DatasetLayout {
  const dir = resolve(datasetDir)
  if (!existsSync(dir)) throw new Error(`${dir}: no such folder; check the dataset path`)
  if (!statSync(dir).isDirectory()) {
    throw new Error(`${dir}: is a file; point at the dataset's folder`)
  }
  // Real paths: the same folder through a symbolic link (or a different spelling) is the same dataset.
  const real = realpathSync(dir)
  const here = layoutAt(real)
  if (here) return here
  // Pointed at the image folder: look for annotations one or two levels up (Kaggle nests twice).
  // Both the path given and the real one: an image folder may be a link into another disk.
  const ancestors = new Set([
    dirname(dir),
    dirname(dirname(dir)),
    dirname(real),
    dirname(dirname(real)),
  ])
  for (const ancestor of ancestors) {
    const found = ancestor !== real && ancestor !== dir ? layoutAt(realpathSync(ancestor)) : null
    if (!found) continue
    const images = realpathSync(found.imageDir)
    if (images === real || realpathSync(dirname(found.imageDir)) === real) return found
  }
  return {
    kind: 'folder',
    root: real,
    imageDir: real,
    attributes: null,
    partition: null,
    identities: null,
  }
}

function layoutAt(root: string): DatasetLayout | null {
  const attributes = firstFile(root, ANNOTATIONS.attributes)
  const partition = firstFile(root, ANNOTATIONS.partition)
  const identities = firstFile(root, ANNOTATIONS.identities)
  const outer = join(root, IMAGE_FOLDER)
  const inner = join(outer, IMAGE_FOLDER)
  const hasOuter = isDir(outer)
  if (!attributes && !partition && !identities && !hasOuter) return null
  if (!attributes && !partition && !identities && basename(root) === IMAGE_FOLDER) return null
  const nested = hasOuter && isDir(inner)
  const csv = [attributes, partition].some((file) => file?.endsWith('.csv'))
  return {
    kind: nested || csv ? 'celeba-kaggle' : 'celeba',
    root,
    imageDir: nested ? inner : hasOuter ? outer : root,
    attributes,
    partition,
    identities,
  }
}

/**
 * The first of `names` that is a regular file; failing that, the first that exists at all (a folder,
 * a named pipe), so that ingest reports it by name instead of ignoring it.
 */
function firstFile(dir: string, names: string[]): string | null {
  let other: string | null = null
  for (const name of names) {
    const path = join(dir, name)
    if (!existsSync(path)) continue
    if (statSync(path).isFile()) return path
    other ??= path
  }
  return other
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory()
}
