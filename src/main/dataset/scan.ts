/**
 * Walks an image folder (nested) for jpg/png/webp files with their size and mtime. Symbolic links are
 * followed once: a link loop or a folder reached twice is reported, never walked again. Zero-byte
 * files, things that are not regular files (FIFOs, sockets) and names that are not UTF-8 are
 * reported instead of returned.
 */
import { opendir, stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { join } from 'node:path'
import type { Problem } from '../../shared/contract'
import { throwIfCancelled, type TaskControl } from '../../shared/progress'

export interface ScannedFile {
  /** path relative to the image folder, with '/' separators */
  rel: string
  size: number
  mtimeMs: number
}

export interface ScanResult {
  files: ScannedFile[]
  problems: Problem[]
}

const IMAGE_EXTENSION = /\.(jpe?g|png|webp)$/i
const STAT_BATCH = 256

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSION.test(name)
}

/** `describe(rel)` turns a path relative to the image folder into the name a problem reports. */
export async function scanImages(
  imageDir: string,
  control: TaskControl & { describe?: (rel: string) => string } = {},
): Promise<ScanResult> {
  const describe = control.describe ?? ((rel: string) => rel)
  const files: ScannedFile[] = []
  const problems: Problem[] = []
  const visited = new Set<string>()
  const rootStats = await stat(imageDir)
  visited.add(`${rootStats.dev}:${rootStats.ino}`)
  const folders: string[] = ['']
  let pending: string[] = []

  const flush = async (): Promise<void> => {
    const batch = pending
    pending = []
    const stats = await Promise.all(batch.map((rel) => statOrError(join(imageDir, rel))))
    batch.forEach((rel, i) => {
      const result = stats[i] as Stats | NodeJS.ErrnoException
      if (result instanceof Error) {
        problems.push({ file: describe(rel), reason: statReason(result) })
      } else if (!result.isFile()) {
        problems.push({
          file: describe(rel),
          reason: `${kindOf(result)}, not a file; cannot be read`,
        })
      } else if (result.size === 0) {
        problems.push({ file: describe(rel), reason: 'empty file (0 bytes)' })
      } else {
        files.push({ rel, size: result.size, mtimeMs: Math.trunc(result.mtimeMs) })
      }
    })
    control.onProgress?.({ phase: 'scan', done: files.length, total: files.length })
  }

  while (folders.length > 0) {
    throwIfCancelled(control.signal)
    const folder = folders.pop() as string
    let dir
    try {
      // Raw bytes: a name that is not UTF-8 would otherwise decode to a path that does not exist.
      dir = await opendir(join(imageDir, folder), { encoding: 'buffer' as BufferEncoding })
    } catch (error) {
      problems.push({ file: describe(folder || '.'), reason: statReason(error as Error) })
      continue
    }
    for await (const entry of dir) {
      const { name, utf8 } = decodeName(entry.name as unknown as Buffer)
      if (name.startsWith('.')) continue
      const rel = folder ? `${folder}/${name}` : name
      if (!utf8) {
        if (entry.isDirectory() || isImageName(name)) {
          problems.push({
            file: describe(rel),
            reason:
              'the file name is not valid UTF-8 (an older encoding such as Latin-1); rename it to read it',
          })
        }
        continue
      }
      if (entry.isDirectory() || entry.isSymbolicLink()) {
        const target = await statOrError(join(imageDir, rel))
        if (target instanceof Error) {
          if (isImageName(name) || entry.isSymbolicLink()) {
            problems.push({ file: describe(rel), reason: statReason(target) })
          }
          continue
        }
        if (target.isDirectory()) {
          const key = `${target.dev}:${target.ino}`
          if (visited.has(key)) {
            problems.push({
              file: describe(rel),
              reason: 'symbolic link loop: this folder was already scanned; skipped',
            })
          } else {
            visited.add(key)
            folders.push(rel)
          }
          continue
        }
      }
      if (!isImageName(name)) continue
      pending.push(rel)
      if (pending.length >= STAT_BATCH) await flush()
    }
  }
  await flush()
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
  return { files, problems }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** A file name as text; one that is not UTF-8 comes back with its other bytes written as \xHH. */
function decodeName(raw: Buffer): { name: string; utf8: boolean } {
  try {
    return { name: strictUtf8.decode(raw), utf8: true }
  } catch {
    const name = [...raw]
      .map((b) =>
        b >= 0x20 && b < 0x7f
          ? String.fromCharCode(b)
          : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`,
      )
      .join('')
    return { name, utf8: false }
  }
}

async function statOrError(path: string): Promise<Stats | NodeJS.ErrnoException> {
  try {
    return await stat(path)
  } catch (error) {
    return error as NodeJS.ErrnoException
  }
}

function statReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ELOOP':
      return 'symbolic link loop; skipped'
    case 'ENOENT':
      return 'broken symbolic link or file removed during the scan; skipped'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; cannot be read'
    default:
      return `cannot be read (${error.code ?? error.message})`
  }
}

export function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a named pipe (FIFO)'
  if (stats.isSocket()) return 'a socket'
  if (stats.isDirectory()) return 'a folder'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  return 'a special file'
}
