import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseAttributes } from '../../src/main/dataset/annotations/attributes'
import { parseIdentities, parsePartition } from '../../src/main/dataset/annotations/keyValue'
import { celebaAnnotationsDir, sharedDataAvailable } from '../support/sharedData'

const available = sharedDataAvailable()
const read = (name: string): string => readFileSync(join(celebaAnnotationsDir, name), 'utf8')

describe.runIf(available)('the full-size CelebA annotation files', () => {
  it('reads all 202,599 partition rows with the published split counts', () => {
    const { values, problems } = parsePartition(
      read('list_eval_partition.txt'),
      'list_eval_partition.txt',
    )
    expect(problems).toEqual([])
    expect(values.size).toBe(202_599)
    const counts = [0, 0, 0]
    for (const split of values.values()) counts[split]!++
    expect(counts).toEqual([162_770, 19_867, 19_962])
    expect(values.get('000001.jpg')).toBe(0)
    expect(values.get('202599.jpg')).toBe(2)
  })

  it('reads all 202,599 identity rows', () => {
    const { values, problems } = parseIdentities(read('identity_CelebA.txt'), 'identity_CelebA.txt')
    expect(problems).toEqual([])
    expect(values.size).toBe(202_599)
    expect(values.get('000001.jpg')).toBe(2880)
    expect(new Set(values.values()).size).toBeGreaterThan(10_000)
  })

  it('reads the 6,128-row attribute file with its count line and 40 names', () => {
    const text = read('list_attr_celeba_first6128.txt')
    const table = parseAttributes(text, 'list_attr_celeba_first6128.txt')
    expect(table.problems).toEqual([])
    expect(table.names).toHaveLength(40)
    expect(table.names[0]).toBe('5_o_Clock_Shadow')
    expect(table.files).toHaveLength(6128)
    expect(table.files[6127]).toBe('006128.jpg')
    // Cross-check one column against a plain split of the text.
    const rows = text.trim().split('\n').slice(2)
    const male = table.names.indexOf('Male')
    const expectedMale = rows.filter((row) => row.trim().split(/\s+/)[male + 1] === '1').length
    let parsedMale = 0
    for (let r = 0; r < table.files.length; r++) if (table.values[r * 40 + male] === 1) parsedMale++
    expect(parsedMale).toBe(expectedMale)
  })
})
