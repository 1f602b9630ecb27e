import { describe, expect, it } from 'vitest'
import { parseAttributes } from '../../src/main/dataset/annotations/attributes'
import { parseIdentities, parsePartition } from '../../src/main/dataset/annotations/keyValue'

const NAMES = ['Bald', 'Male', 'Smiling']

function txt(lines: string[], eol = '\n'): string {
  return lines.join(eol) + eol
}

describe('parseAttributes: original text format', () => {
  const rows = ['a.jpg  1 -1  1', 'b.jpg -1 -1 -1', 'c.jpg  1  1 -1']

  it('reads the count line, names and rows', () => {
    const table = parseAttributes(txt(['3', NAMES.join(' '), ...rows]), 'list_attr_celeba.txt')
    expect(table.names).toEqual(NAMES)
    expect(table.files).toEqual(['a.jpg', 'b.jpg', 'c.jpg'])
    expect([...table.values]).toEqual([1, -1, 1, -1, -1, -1, 1, 1, -1])
    expect(table.problems).toEqual([])
  })

  it('gives the same table without the count line, with CRLF, with tabs and trailing spaces', () => {
    const reference = parseAttributes(txt(['3', NAMES.join(' '), ...rows]), 'list_attr_celeba.txt')
    const variants = [
      txt([NAMES.join(' '), ...rows]),
      txt(['3', NAMES.join(' ') + ' ', ...rows], '\r\n'),
      txt(['3', NAMES.join('\t'), ...rows.map((r) => r.replace(/ +/g, '\t'))]),
      txt(['3', NAMES.join('  '), ...rows.map((r) => ` ${r}  \t`)], '\r\n'),
    ]
    for (const text of variants) {
      const table = parseAttributes(text, 'list_attr_celeba.txt')
      expect(table.names).toEqual(reference.names)
      expect(table.files).toEqual(reference.files)
      expect([...table.values]).toEqual([...reference.values])
      expect(table.problems).toEqual([])
    }
  })

  it('reports rows with the wrong number of values or a bad value, by line, and keeps the rest', () => {
    const text = txt([
      '4',
      NAMES.join(' '),
      rows[0]!,
      'b.jpg -1 -1',
      'c.jpg 1 2 -1',
      'd.jpg 1 1 1 1',
      rows[2]!,
    ])
    const table = parseAttributes(text, 'list_attr_celeba.txt')
    expect(table.files).toEqual(['a.jpg', 'c.jpg'])
    expect(table.problems.map((p) => [p.line, p.file])).toEqual([
      [4, 'list_attr_celeba.txt'],
      [5, 'list_attr_celeba.txt'],
      [6, 'list_attr_celeba.txt'],
      [1, 'list_attr_celeba.txt'],
    ])
    expect(table.problems[0]!.reason).toMatch(/expected 3 values.*found 2/)
    expect(table.problems[1]!.reason).toMatch(/"2"/)
    expect(table.problems[2]!.reason).toMatch(/found 4/)
    // the count line announced 4 rows; the file has 5
    expect(table.problems[3]!.reason).toMatch(/announces 4 rows.*5/)
  })

  it('rejects 0 in the text format and reports duplicate rows', () => {
    const table = parseAttributes(
      txt([NAMES.join(' '), 'a.jpg 0 1 1', rows[1]!, rows[1]!]),
      'x.txt',
    )
    expect(table.files).toEqual(['b.jpg'])
    expect(table.problems.map((p) => p.line)).toEqual([2, 4])
    expect(table.problems[1]!.reason).toMatch(/second row for b\.jpg/)
  })
})

describe('parseAttributes: Kaggle CSV', () => {
  const header = ['image_id', ...NAMES].join(',')

  it('reads a header, an optional BOM, CRLF and -1/1 or 0/1 values', () => {
    const plain = parseAttributes(
      txt([header, 'a.jpg,1,-1,1', 'b.jpg,-1,-1,-1']),
      'list_attr_celeba.csv',
    )
    const bom = parseAttributes(
      `\ufeff${txt([header, 'a.jpg,1,0,1', 'b.jpg,0,0,0'], '\r\n')}`,
      'list_attr_celeba.csv',
    )
    for (const table of [plain, bom]) {
      expect(table.names).toEqual(NAMES)
      expect(table.files).toEqual(['a.jpg', 'b.jpg'])
      expect([...table.values]).toEqual([1, -1, 1, -1, -1, -1])
      expect(table.problems).toEqual([])
    }
  })

  it('treats an empty cell as missing and reports bad rows with their line', () => {
    const table = parseAttributes(
      txt([header, 'a.jpg,1,,1', 'b.jpg,1,1', 'c.jpg,1,yes,1']),
      'a.csv',
    )
    expect(table.files).toEqual(['a.jpg'])
    expect([...table.values]).toEqual([1, 0, 1])
    expect(table.problems.map((p) => p.line)).toEqual([3, 4])
    expect(table.problems[1]!.reason).toMatch(/"yes"/)
  })

  it('ignores a file with more attributes than the database holds', () => {
    const many = Array.from({ length: 65 }, (_, i) => `A${i}`)
    const table = parseAttributes(
      txt([many.join(' '), `a.jpg ${many.map(() => '1').join(' ')}`]),
      'x.txt',
    )
    expect(table.names).toEqual([])
    expect(table.files).toEqual([])
    expect(table.problems).toEqual([
      { file: 'x.txt', line: 1, reason: expect.stringMatching(/65 attribute names; at most 64/) },
    ])
  })

  it('reports a file without a names line', () => {
    const table = parseAttributes('', 'list_attr_celeba.txt')
    expect(table.names).toEqual([])
    expect(table.problems[0]!.reason).toMatch(/no line of attribute names/)
  })
})

describe('parsePartition and parseIdentities', () => {
  it('reads text and CSV partitions alike', () => {
    const text = parsePartition(txt(['a.jpg 0', 'b.jpg\t1', 'c.jpg  2']), 'list_eval_partition.txt')
    const csv = parsePartition(
      `\ufeff${txt(['image_id,partition', 'a.jpg,0', 'b.jpg,1', 'c.jpg,2'], '\r\n')}`,
      'list_eval_partition.csv',
    )
    for (const table of [text, csv]) {
      expect([...table.values]).toEqual([
        ['a.jpg', 0],
        ['b.jpg', 1],
        ['c.jpg', 2],
      ])
      expect(table.problems).toEqual([])
    }
  })

  it('reports bad partition and identity rows by line', () => {
    const partition = parsePartition(txt(['a.jpg 0', 'b.jpg 3', 'c.jpg', 'd.jpg 1']), 'p.txt')
    expect([...partition.values.keys()]).toEqual(['a.jpg', 'd.jpg'])
    expect(partition.problems.map((p) => p.line)).toEqual([2, 3])
    const identities = parseIdentities(
      txt(['a.jpg 12', 'b.jpg x', 'c.jpg 7']),
      'identity_CelebA.txt',
    )
    expect([...identities.values]).toEqual([
      ['a.jpg', 12],
      ['c.jpg', 7],
    ])
    expect(identities.problems).toEqual([
      { file: 'identity_CelebA.txt', line: 2, reason: expect.stringMatching(/"x"/) },
    ])
  })
})
