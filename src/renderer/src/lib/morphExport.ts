/** The Morph screen's export options: formats, output paths and sizes as the panel shows them. */
import type { ExportFormat } from '@shared/contractMorph'

export const EXPORT_FORMATS: readonly { id: ExportFormat; label: string }[] = [
  { id: 'gif', label: 'GIF animation' },
  { id: 'webp', label: 'WebP animation' },
  { id: 'png-strip', label: 'PNG contact strip' },
  { id: 'png-sequence', label: 'PNG sequence (folder)' },
]

export const MIN_EXPORT_SIZE = 32
export const MAX_EXPORT_SIZE = 512

/** The file ending of a format; a PNG sequence is a folder, so it has none. */
export function exportExtension(format: ExportFormat): string {
  switch (format) {
    case 'gif':
      return '.gif'
    case 'webp':
      return '.webp'
    case 'png-strip':
      return '.png'
    case 'png-sequence':
      return ''
  }
}

const KNOWN_ENDINGS = /(\.gif|\.webp|\.png|-frames)$/i

/**
 * The same output path for another format: a known ending is swapped, so switching GIF → WebP does
 * not leave "morph.gif" behind; a folder for PNG sequences ends in "-frames".
 */
export function withFormatEnding(path: string, format: ExportFormat): string {
  const trimmed = path.trim()
  if (trimmed === '' || /[\\/]$/.test(trimmed)) return trimmed
  const stem = trimmed.replace(KNOWN_ENDINGS, '')
  return format === 'png-sequence' ? `${stem}-frames` : `${stem}${exportExtension(format)}`
}

/** A file name part from a timeline name: letters, digits, dashes. */
export function slugName(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
  return slug || 'morph'
}

/** Where an export goes unless the user says otherwise: the project's exports folder. */
export function defaultExportPath(projectPath: string, format: ExportFormat, name: string): string {
  const sep = projectPath.includes('\\') && !projectPath.includes('/') ? '\\' : '/'
  const base = projectPath.replace(/[\\/]+$/, '')
  return withFormatEnding(`${base}${sep}exports${sep}${slugName(name)}`, format)
}

/** The file (or, for a PNG sequence, folder) name in the project's exports folder. */
export function defaultExportName(format: ExportFormat, name: string): string {
  return withFormatEnding(slugName(name), format)
}

/** The size the contract accepts, from whatever the field holds. */
export function clampExportSize(value: number): number {
  if (!Number.isFinite(value)) return 256
  return Math.min(MAX_EXPORT_SIZE, Math.max(MIN_EXPORT_SIZE, Math.round(value)))
}

const sizeUnits = ['bytes', 'KB', 'MB', 'GB'] as const

/** 1536 → "1.5 KB": decimal units, as file managers show them. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–'
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < sizeUnits.length - 1) {
    value /= 1000
    unit++
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1
  return `${value.toFixed(digits)} ${sizeUnits[unit]}`
}
