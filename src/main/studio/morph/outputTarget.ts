/**
 * Where an export goes: the format a path implies (CLI), whether an existing target may be replaced,
 * and clean-up of temporaries that a killed export left beside its target.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, extname, join } from 'node:path'
import type { ExportFormat } from '../../../shared/contractMorph'
import { processAlive } from '../../app/processAlive'

export const SEQUENCE_PREFIX = 'frame-'

/** .gif, .webp, .png (the contact strip); a folder (no extension, trailing slash, existing directory) is a PNG sequence. */
export function formatForPath(path: string): ExportFormat | null {
  if (/[/\\]$/.test(path)) return 'png-sequence'
  if (existsSync(path) && statSync(path).isDirectory()) return 'png-sequence'
  const ext = extname(path).toLowerCase()
  if (ext === '') return 'png-sequence'
  if (ext === '.gif') return 'gif'
  if (ext === '.webp') return 'webp'
  if (ext === '.png') return 'png-strip'
  return null
}

/**
 * An existing folder is replaced only when it holds nothing but an earlier sequence (or nothing at
 * all), so a mistyped path never wipes a folder of other files.
 */
export function checkSequenceTarget(folder: string): { overwrite: boolean } {
  if (!existsSync(folder)) return { overwrite: false }
  if (!statSync(folder).isDirectory()) {
    throw new Error(`${folder}: is a file; a PNG sequence needs a folder path`)
  }
  const pattern = new RegExp(`^${SEQUENCE_PREFIX}\\d+\\.png$`)
  const other = readdirSync(folder).find((name) => !pattern.test(name))
  if (other !== undefined) {
    throw new Error(
      `${folder}: already holds ${other}, which is not part of an earlier sequence; choose an empty or new folder`,
    )
  }
  return { overwrite: true }
}

export function checkFileTarget(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new Error(`${path}: is a folder; give a file name for this format`)
  }
  const parent = dirname(path)
  if (!existsSync(parent) || !statSync(parent).isDirectory()) {
    throw new Error(
      `${path}: the folder ${parent} does not exist; create it or choose another place`,
    )
  }
}

/**
 * Removes `.NAME.tmp-PID-…` siblings (the atomic writers' temporaries) whose process is gone: a
 * killed export cannot clean up after itself, so the next export to the same place does.
 */
export function removeStaleTemporaries(target: string): string[] {
  const parent = dirname(target)
  if (!existsSync(parent)) return []
  const prefix = `.${basename(target)}.tmp-`
  const removed: string[] = []
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1])
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue
    rmSync(join(parent, name), { recursive: true, force: true })
    removed.push(name)
  }
  return removed
}
