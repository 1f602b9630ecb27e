/**
 * Taking a selection out of the studio: a folder of the original images (copied, never moved), a CSV
 * of file names with their map coordinates and attributes, or a PNG contact sheet of the faces. The
 * kind follows the target's name: `.csv`, `.png`, anything else a folder.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { copyFile } from 'node:fs/promises'
import { basename, extname, join, resolve } from 'node:path'
import sharp from 'sharp'
import { mapMethodSchema } from '../../../shared/contractLatent'
import { normaliseIds } from '../../../shared/selection/selectionFile'
import { writeFileAtomic, writeFolderAtomic } from '../../export/atomic'
import { tileFaces } from '../../export/faceGrid'
import { openImageCache } from '../../dataset/imageCache'
import type { Db } from '../../store/database'
import { datasetRow, largestCacheSize } from '../../store/datasetRow'
import type { ProjectPaths } from '../../store/projectFolder'
import { datasetCrop } from './faces'
import { imageFiles } from '../../store/images'
import { loadLabels } from '../../store/latentTable'
import { cachedMap } from './maps'

export type SelectionExportKind = 'folder' | 'csv' | 'png'

/** A contact sheet beyond this many faces would be too large to look at; export a folder instead. */
export const CONTACT_SHEET_MAX = 2500

export function exportKind(target: string): SelectionExportKind {
  const ext = extname(target).toLowerCase()
  return ext === '.csv' ? 'csv' : ext === '.png' ? 'png' : 'folder'
}

export interface SelectionExport {
  kind: SelectionExportKind
  path: string
  faces: number
}

export async function exportSelection(
  db: Db,
  paths: ProjectPaths,
  runId: number | null,
  imageIds: readonly number[],
  target: string,
): Promise<SelectionExport> {
  const ids = normaliseIds(imageIds)
  if (ids.length === 0) throw new Error('the selection is empty; select some faces first')
  const path = resolve(target)
  const kind = exportKind(path)
  if (kind === 'csv') await writeFileAtomic(path, Buffer.from(selectionCsv(db, runId, ids), 'utf8'))
  else if (kind === 'png') await writeFileAtomic(path, await contactSheet(db, paths, ids))
  else await copyOriginals(db, ids, path)
  return { kind, path, faces: ids.length }
}

function imageDir(db: Db): string {
  const row = datasetRow(db)
  if (!row) throw new Error('the project has no dataset yet; ingest one first')
  return row.imageDir
}

/** Copies each original into a fresh folder; two originals with one name keep their ids apart. */
async function copyOriginals(db: Db, ids: number[], target: string): Promise<void> {
  const dir = imageDir(db)
  const files = imageFiles(db, ids)
  const names = files.map((f) => basename(f))
  const seen = new Map<string, number>()
  for (const name of names) seen.set(name, (seen.get(name) ?? 0) + 1)
  const emptyFolder =
    existsSync(target) && statSync(target).isDirectory() && readdirSync(target).length === 0
  await writeFolderAtomic(
    target,
    async (temp) => {
      for (let i = 0; i < ids.length; i++) {
        const source = join(dir, files[i] as string)
        if (!existsSync(source))
          throw new Error(`${source}: the original of image ${ids[i]} is missing`)
        const name = names[i] as string
        const unique = (seen.get(name) ?? 0) > 1 ? `${ids[i]}_${name}` : name
        await copyFile(source, join(temp, unique))
      }
    },
    emptyFolder,
  )
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** file, image_id, x and y of every cached map of the run, then the attributes (1, −1, empty). */
export function selectionCsv(db: Db, runId: number | null, ids: number[]): string {
  const files = imageFiles(db, ids)
  const idArray = Int32Array.from(ids)
  const { names, labels } = loadLabels(db, idArray)
  const maps = mapMethodSchema.options.flatMap((method) => {
    const map = runId === null ? null : cachedMap(db, runId, method)
    if (!map) return []
    const at = new Map<number, number>()
    for (let i = 0; i < map.points; i++) at.set(map.imageIds[i] as number, i)
    return [{ method, map, at }]
  })
  const header = [
    'file',
    'image_id',
    ...maps.flatMap(({ method }) => [`${method}_x`, `${method}_y`]),
    ...names,
  ]
  const lines = [header.map(csvField).join(',')]
  ids.forEach((id, r) => {
    const cells = [csvField(files[r] as string), String(id)]
    for (const { map, at } of maps) {
      const i = at.get(id)
      cells.push(
        i === undefined ? '' : String(map.coords[2 * i]),
        i === undefined ? '' : String(map.coords[2 * i + 1]),
      )
    }
    for (let a = 0; a < names.length; a++) {
      const v = labels[r * names.length + a]
      cells.push(v === 1 ? '1' : v === -1 ? '-1' : '')
    }
    lines.push(cells.join(','))
  })
  return `${lines.join('\n')}\n`
}

/** The faces as the largest image cache holds them, in a near-square grid. */
async function contactSheet(db: Db, paths: ProjectPaths, ids: number[]): Promise<Buffer> {
  if (ids.length > CONTACT_SHEET_MAX) {
    throw new Error(
      `a contact sheet takes at most ${CONTACT_SHEET_MAX} faces and the selection has ${ids.length}; export a folder or a CSV instead`,
    )
  }
  const size = largestCacheSize(db)
  if (size === undefined) throw new Error(`${paths.root}: no image cache; ingest the dataset first`)
  const cache = openImageCache(db, paths, size, datasetCrop(db))
  let pixels: Uint8Array
  try {
    pixels = await cache.readBatch(ids)
  } finally {
    await cache.close()
  }
  const columns = Math.min(ids.length, Math.max(1, Math.ceil(Math.sqrt(ids.length))))
  const rows = Math.ceil(ids.length / columns)
  const width = columns * size
  const grid = new Uint8Array(width * rows * size * 3).fill(24)
  tileFaces(pixels, 3, size, columns, grid, width)
  return sharp(grid, { raw: { width, height: rows * size, channels: 3 } })
    .png()
    .toBuffer()
}
