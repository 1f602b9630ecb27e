/** Browsing the dataset: attribute filters (AND), optional split, a page and the total. SQLite answers. */
import type { z } from 'zod'
import type { DatasetPage, datasetQuerySchema } from '../../shared/contract'
import type { Db } from '../store/database'
import { attributeNames, FILE_MATCH } from '../store/images'
import { splitCode } from './splits'

export type ParsedDatasetQuery = z.output<typeof datasetQuerySchema>

export function queryImages(db: Db, query: ParsedDatasetQuery): DatasetPage {
  const names = attributeNames(db)
  const conditions = ["i.status = 'ok'"]
  const params: (number | string | null)[] = []
  for (const filter of query.filters) {
    const idx = names.indexOf(filter.attribute)
    if (idx < 0) {
      throw new Error(
        `unknown attribute "${filter.attribute}"; this dataset has ${names.length > 0 ? names.join(', ') : 'no attributes'}`,
      )
    }
    conditions.push(`a.a${idx} = ?`)
    params.push(filter.value)
  }
  if (query.split !== undefined) {
    const code = splitCode(query.split)
    if (code === null) conditions.push('i.split IS NULL')
    else {
      conditions.push('i.split = ?')
      params.push(code)
    }
  }
  if (query.file !== undefined) {
    conditions.push(FILE_MATCH)
    params.push(query.file, query.file)
  }
  const from =
    query.filters.length > 0 ? 'images i JOIN image_attributes a ON a.image_id = i.id' : 'images i'
  const where = conditions.join(' AND ')
  const total = (
    db.prepare(`SELECT count(*) AS n FROM ${from} WHERE ${where}`).get(...params) as { n: number }
  ).n
  const items = db
    .prepare(
      `SELECT i.id AS id, i.file AS file FROM ${from} WHERE ${where} ORDER BY i.id LIMIT ? OFFSET ?`,
    )
    .all(...params, query.limit, query.offset) as { id: number; file: string }[]
  return { total, offset: query.offset, items }
}
