/** Line and field splitting shared by the annotation parsers: LF or CRLF, optional BOM. Pure. */

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/** Calls `visit` with each line (without its CR/LF) and its 1-based number; stops when it returns false. */
export function forEachLine(
  text: string,
  visit: (line: string, lineNo: number) => boolean | void,
): void {
  let start = 0
  let lineNo = 1
  while (start <= text.length) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end
    if (visit(text.slice(start, stop), lineNo) === false) return
    start = end + 1
    lineNo++
  }
}

/** Fields separated by runs of spaces/tabs, or by commas in CSV (surrounding quotes and spaces removed). */
export function splitFields(line: string, csv: boolean): string[] {
  if (csv) return line.split(',').map((field) => unquote(field.trim()))
  return line
    .trim()
    .split(/[ \t]+/)
    .filter((field) => field.length > 0)
}

function unquote(field: string): string {
  return field.length >= 2 && field.startsWith('"') && field.endsWith('"')
    ? field.slice(1, -1)
    : field
}

export function isCsvName(fileName: string): boolean {
  return fileName.toLowerCase().endsWith('.csv')
}

/** Header words that name the file column rather than an attribute. */
export function isFileColumnName(name: string): boolean {
  return /^(image_id|image|file|filename|file_name|name)$/i.test(name)
}
