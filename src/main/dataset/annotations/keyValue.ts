/**
 * Two-column CelebA files: `list_eval_partition` (file → 0 train, 1 validation, 2 test) and
 * `identity_CelebA` (file → identity number), as space/tab text or CSV with a header. Pure.
 */
import type { Problem } from '../../../shared/contract'
import { forEachLine, isCsvName, isFileColumnName, splitFields, stripBom } from './text'

export interface KeyValueTable {
  values: Map<string, number>
  problems: Problem[]
}

function parseKeyValue(
  text: string,
  fileName: string,
  parseValue: (raw: string) => number | null,
  expected: string,
): KeyValueTable {
  const csv = isCsvName(fileName) || /^[^\n]*,/.test(stripBom(text).slice(0, 4096))
  const values = new Map<string, number>()
  const problems: Problem[] = []
  let first = true
  forEachLine(stripBom(text), (line, lineNo) => {
    if (line.trim().length === 0) return
    const fields = splitFields(line, csv)
    const isHeader = first && (isFileColumnName(fields[0] ?? '') || /^\d+$/.test(fields[0] ?? ''))
    first = false
    if (isHeader && fields.length !== 2) return
    if (isHeader && parseValue(fields[1] as string) === null) return
    if (fields.length !== 2) {
      problems.push({
        file: fileName,
        line: lineNo,
        reason: `expected a file name and one value, found ${fields.length} fields`,
      })
      return
    }
    const [file, raw] = fields as [string, string]
    const value = parseValue(raw)
    if (value === null) {
      problems.push({ file: fileName, line: lineNo, reason: `value "${raw}" is not ${expected}` })
      return
    }
    if (values.has(file)) {
      problems.push({ file: fileName, line: lineNo, reason: `second row for ${file}; ignored` })
      return
    }
    values.set(file, value)
  })
  return { values, problems }
}

/** 0 train, 1 validation, 2 test. */
export function parsePartition(text: string, fileName: string): KeyValueTable {
  return parseKeyValue(
    text,
    fileName,
    (raw) => (raw === '0' ? 0 : raw === '1' ? 1 : raw === '2' ? 2 : null),
    '0 (train), 1 (validation) or 2 (test)',
  )
}

export function parseIdentities(text: string, fileName: string): KeyValueTable {
  return parseKeyValue(
    text,
    fileName,
    (raw) => (/^\d{1,9}$/.test(raw) ? Number(raw) : null),
    'a whole-number identity',
  )
}
