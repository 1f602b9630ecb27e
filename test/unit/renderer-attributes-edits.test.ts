import { describe, expect, it } from 'vitest'
import {
  buildEdits,
  editsWithout,
  formatAuc,
  roundIntensity,
  sortByAuc,
  toggleKeep,
} from '../../src/renderer/src/lib/attributeEdits'

describe('attribute order', () => {
  it('puts the best-separated first and unknown AUCs last', () => {
    const sorted = sortByAuc([
      { name: 'Bald', auc: null },
      { name: 'Smiling', auc: 0.93 },
      { name: 'Eyeglasses', auc: 0.71 },
      { name: 'Young', auc: 0.93 },
      { name: 'Arched_Eyebrows', auc: null },
    ])
    expect(sorted.map((a) => a.name)).toEqual([
      'Smiling',
      'Young',
      'Eyeglasses',
      'Arched_Eyebrows',
      'Bald',
    ])
    expect(formatAuc(0.9349)).toBe('0.93')
    expect(formatAuc(null)).toBe('–')
  })
})

describe('edits from sliders', () => {
  const order = ['Smiling', 'Male', 'Eyeglasses']

  it('sends only the moved sliders, in attribute order, rounded to a tenth', () => {
    const edits = buildEdits(order, { Eyeglasses: -1.26, Smiling: 2.0000001, Male: 0.04 }, {})
    expect(edits).toEqual([
      { attribute: 'Smiling', intensity: 2, orthogonalTo: [] },
      { attribute: 'Eyeglasses', intensity: -1.3, orthogonalTo: [] },
    ])
    expect(roundIntensity(-0.04)).toBe(-0)
    expect(buildEdits(order, { Smiling: 0 }, {})).toEqual([])
  })

  it('names the linear method only for attributes switched to it', () => {
    const edits = buildEdits(
      order,
      { Smiling: 1, Male: -2 },
      {},
      { Smiling: 'linear', Male: 'mean-diff' },
    )
    expect(edits).toEqual([
      { attribute: 'Smiling', intensity: 1, orthogonalTo: [], method: 'linear' },
      { attribute: 'Male', intensity: -2, orthogonalTo: [] },
    ])
  })

  it('keeps known attributes other than the edited one fixed', () => {
    const edits = buildEdits(
      order,
      { Smiling: 1.5 },
      { Smiling: ['Male', 'Smiling', 'Unknown'], Male: ['Smiling'] },
    )
    expect(edits).toEqual([{ attribute: 'Smiling', intensity: 1.5, orthogonalTo: ['Male'] }])
  })

  it('toggles kept attributes without touching the input', () => {
    const before = { Smiling: ['Male'] }
    const added = toggleKeep(before, 'Smiling', 'Eyeglasses')
    expect(added).toEqual({ Smiling: ['Male', 'Eyeglasses'] })
    expect(before).toEqual({ Smiling: ['Male'] })
    const removed = toggleKeep(toggleKeep(added, 'Smiling', 'Male'), 'Smiling', 'Eyeglasses')
    expect(removed).toEqual({})
  })

  it('drops one attribute from the edits for its strip', () => {
    const edits = buildEdits(order, { Smiling: 1, Male: -2 }, {})
    expect(editsWithout(edits, 'Smiling')).toEqual([
      { attribute: 'Male', intensity: -2, orthogonalTo: [] },
    ])
  })
})
