/**
 * Parses CelebA attribute files: the original text format (optional count line, a line of names, then
 * `file v1 … vN` separated by runs of spaces or tabs) and Kaggle's CSV (`image_id,name1,…`, optional
 * BOM). Values are 1/−1, and 0/1 in CSV (0 read as −1); an empty CSV cell is missing. Bad rows become
 * problems with their line number and are skipped. Pure, and written for 200k rows: values are read
 * from character codes without splitting the line.
 */
import type { Problem } from '../../../shared/contract'
import { MAX_ATTRIBUTES } from '../../store/migrations'
import { forEachLine, isCsvName, isFileColumnName, splitFields, stripBom } from './text'

export interface AttributeTable {
  names: string[]
  files: string[]
  /** rows × names.length; 1, −1, or 0 where the value is missing */
  values: Int8Array
  problems: Problem[]
}

const SPACE = 32
const TAB = 9
const COMMA = 44
const MINUS = 45
const ZERO = 48
const ONE = 49

export function parseAttributes(text: string, fileName: string): AttributeTable {
  const csv = isCsvName(fileName) || /^[^\n]*,/.test(stripBom(text).slice(0, 4096))
  const problems: Problem[] = []
  const files: string[] = []
  let names: string[] | null = null
  let declaredCount: number | null = null
  let values = new Int8Array(0)
  let rows = 0
  const seen = new Set<string>()

  forEachLine(stripBom(text), (line, lineNo) => {
    if (line.trim().length === 0) return
    if (names === null) {
      const fields = splitFields(line, csv)
      if (declaredCount === null && fields.length === 1 && /^\d+$/.test(fields[0] as string)) {
        declaredCount = Number(fields[0])
        return
      }
      names = fields.length > 0 && isFileColumnName(fields[0] as string) ? fields.slice(1) : fields
      if (names.length > MAX_ATTRIBUTES) {
        problems.push({
          file: fileName,
          line: lineNo,
          reason: `${names.length} attribute names; at most ${MAX_ATTRIBUTES} are supported, so the file was ignored`,
        })
        names = []
        return false
      }
      values = new Int8Array(Math.max(16, estimateRows(text)) * names.length)
      return
    }
    const n = names.length
    if ((rows + 1) * n > values.length) {
      const grown = new Int8Array(values.length * 2 + n)
      grown.set(values)
      values = grown
    }
    const error = parseRow(line, csv, n, values, rows * n)
    if (typeof error === 'string') {
      problems.push({ file: fileName, line: lineNo, reason: error })
      return
    }
    if (seen.has(error.file)) {
      problems.push({
        file: fileName,
        line: lineNo,
        reason: `second row for ${error.file}; ignored`,
      })
      return
    }
    seen.add(error.file)
    files.push(error.file)
    rows++
  })

  if (names === null) {
    problems.push({ file: fileName, reason: 'no line of attribute names; the file was ignored' })
  }
  if (names === null || (names as string[]).length === 0) {
    return { names: [], files: [], values: new Int8Array(0), problems }
  }
  const finalNames: string[] = names
  if (declaredCount !== null && declaredCount !== rows + countRowProblems(problems)) {
    problems.push({
      file: fileName,
      line: 1,
      reason: `the first line announces ${declaredCount} rows but the file has ${rows + countRowProblems(problems)}`,
    })
  }
  return { names: finalNames, files, values: values.slice(0, rows * finalNames.length), problems }
}

function countRowProblems(problems: Problem[]): number {
  return problems.filter((p) => p.line !== undefined).length
}

function estimateRows(text: string): number {
  // An estimate from the average row length keeps regrowth rare without a counting pass.
  const firstBreak = text.indexOf('\n', text.indexOf('\n') + 1)
  const secondBreak = text.indexOf('\n', firstBreak + 1)
  const rowLength = secondBreak > firstBreak ? secondBreak - firstBreak : 80
  return Math.ceil(text.length / rowLength) + 1
}

/** Reads one data row into `out`; returns the file name or a reason the row is unusable. */
function parseRow(
  line: string,
  csv: boolean,
  n: number,
  out: Int8Array,
  offset: number,
): { file: string } | string {
  const sep = csv ? COMMA : -1
  let pos = 0
  const len = line.length
  while (pos < len && isGap(line.charCodeAt(pos))) pos++
  let end = pos
  while (end < len && (csv ? line.charCodeAt(end) !== sep : !isGap(line.charCodeAt(end)))) end++
  const file = stripQuotes(line.slice(pos, end).trim())
  if (file.length === 0) return 'no file name at the start of the row'
  pos = end
  let count = 0
  while (pos < len) {
    if (csv) {
      if (line.charCodeAt(pos) !== COMMA) return `unexpected text after the values`
      pos++
    }
    while (pos < len && isGap(line.charCodeAt(pos))) pos++
    if (!csv && pos >= len) break
    let stop = pos
    while (stop < len && (csv ? line.charCodeAt(stop) !== COMMA : !isGap(line.charCodeAt(stop))))
      stop++
    let tokenEnd = stop
    while (tokenEnd > pos && isGap(line.charCodeAt(tokenEnd - 1))) tokenEnd--
    if (count < n) {
      const value = readValue(line, pos, tokenEnd, csv)
      if (value === null) {
        return `value "${line.slice(pos, tokenEnd)}" in column ${count + 2} is not ${csv ? '1, -1 or 0' : '1 or -1'}`
      }
      out[offset + count] = value
    }
    count++
    pos = stop
  }
  if (count !== n) return `expected ${n} values after the file name, found ${count}`
  return { file }
}

function isGap(c: number): boolean {
  return c === SPACE || c === TAB
}

function readValue(line: string, start: number, end: number, csv: boolean): number | null {
  const length = end - start
  const first = line.charCodeAt(start)
  if (length === 1 && first === ONE) return 1
  if (length === 2 && first === MINUS && line.charCodeAt(start + 1) === ONE) return -1
  if (csv && length === 1 && first === ZERO) return -1
  if (csv && length === 0) return 0
  if (csv && length === 3 && first === 34 && line.charCodeAt(start + 2) === 34) {
    return readValue(line, start + 1, start + 2, csv)
  }
  return null
}

function stripQuotes(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value
}
