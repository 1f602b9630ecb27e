import { CELEBA_ATTRIBUTES, type AttributeVector } from './celebaAttributes'

/** CelebA's image file name for a 0-based index: 000001.jpg for index 0. */
export function celebaFileName(index: number): string {
  return `${String(index + 1).padStart(6, '0')}.jpg`
}

/**
 * One row of list_attr_celeba.txt. The real file right-aligns each value in a two-character field
 * after a space, so 1 gets two spaces before it and -1 one.
 */
export function formatAttributeRow(file: string, labels: AttributeVector): string {
  return file + CELEBA_ATTRIBUTES.map((name) => (labels[name] ? '  1' : ' -1')).join('')
}

/** The two header lines: the row count, then the names (the real file ends this line with a space). */
export function formatAttributeHeader(count: number): string {
  return `${count}\n${CELEBA_ATTRIBUTES.join(' ')} \n`
}

/** CelebA's split code: 0 train, 1 validation, 2 test, in contiguous blocks as the real file has. */
export function partitionOf(index: number, count: number): 0 | 1 | 2 {
  const train = Math.round(count * 0.8)
  const validation = Math.round(count * 0.1)
  if (index < train) return 0
  if (index < train + validation) return 1
  return 2
}

export interface ParsedAttributeFile {
  names: string[]
  rows: { file: string; values: number[] }[]
}

/** Reads list_attr_celeba.txt text; `source` names the file in errors. */
export function parseAttributeFile(text: string, source: string): ParsedAttributeFile {
  const lines = text.split(/\r?\n/)
  const count = Number(lines[0]?.trim())
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`${source}:1: expected the row count, got "${lines[0] ?? ''}"`)
  }
  const names = (lines[1] ?? '').trim().split(/\s+/)
  const rows: ParsedAttributeFile['rows'] = []
  for (let i = 2; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim()
    if (line === '') continue
    const [file, ...rest] = line.split(/\s+/)
    const values = rest.map(Number)
    if (values.length !== names.length || values.some((v) => v !== 1 && v !== -1)) {
      throw new Error(`${source}:${i + 1}: expected ${names.length} values of 1 or -1`)
    }
    rows.push({ file: file ?? '', values })
  }
  if (rows.length !== count) {
    throw new Error(`${source}: header says ${count} rows but the file has ${rows.length}`)
  }
  return { names, rows }
}
