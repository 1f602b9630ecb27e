/**
 * What an export may replace: nothing that is a project database, ever; otherwise only an earlier
 * export of the same kind (by its magic bytes), unless the person forces it. A mistyped path must
 * never cost someone their ~/.bashrc or another project's studio.db.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { basename } from 'node:path'

export type OutputKind = 'gif' | 'webp' | 'png'

const KIND_NAMES: Record<OutputKind, string> = { gif: 'GIF', webp: 'WebP', png: 'PNG' }

function head(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(bytes)
    const n = readSync(fd, buf, 0, bytes, 0)
    return buf.subarray(0, n)
  } finally {
    closeSync(fd)
  }
}

export function isKind(bytes: Buffer, kind: OutputKind): boolean {
  const latin = bytes.toString('latin1')
  switch (kind) {
    case 'gif':
      return latin.startsWith('GIF87a') || latin.startsWith('GIF89a')
    case 'webp':
      return latin.startsWith('RIFF') && latin.slice(8, 12) === 'WEBP'
    case 'png':
      return latin.startsWith('\x89PNG\r\n\x1a\n')
  }
}

export function isDatabaseName(path: string): boolean {
  return /^studio\.db(-wal|-shm|-journal)?$/i.test(basename(path))
}

export interface GuardOptions {
  /** Replace a file of another kind (CLI --force, or a path the person confirmed in a dialog). */
  force?: boolean
  /** What the person can do instead, for the message. */
  hint?: string
}

/** Throws, naming the file and why, when writing `kind` to `path` would replace what it must not. */
export function checkReplaceable(path: string, kind: OutputKind, options: GuardOptions = {}): void {
  const hint = options.hint ?? 'pass --force to replace it, or choose another path'
  let info
  try {
    info = statSync(path)
  } catch {
    if (isDatabaseName(path)) throw new Error(`${path}: is a project database name; choose another`)
    return
  }
  if (info.isDirectory()) throw new Error(`${path}: is a folder; give a file name for this format`)
  if (!info.isFile()) throw new Error(`${path}: is not a regular file; choose another path`)
  const bytes = head(path, 16)
  if (isDatabaseName(path) || bytes.toString('latin1').startsWith('SQLite format 3\0')) {
    throw new Error(`${path}: is a database; the studio never replaces one`)
  }
  if (options.force || bytes.length === 0 || isKind(bytes, kind)) return
  throw new Error(`${path}: exists and is not a ${KIND_NAMES[kind]} file; ${hint}`)
}
