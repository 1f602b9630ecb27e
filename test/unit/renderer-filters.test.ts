import { describe, expect, it } from 'vitest'
import {
  activeFilterCount,
  attributeLabel,
  cycleFilter,
  filterSymbol,
  toQueryFilters,
  type FilterState,
} from '../../src/renderer/src/lib/filters'

describe('cycleFilter', () => {
  it('cycles any → ✓ → ✗ → any', () => {
    let state: FilterState = 'any'
    const seen: string[] = []
    for (let i = 0; i < 3; i++) {
      state = cycleFilter(state)
      seen.push(filterSymbol(state))
    }
    expect(seen).toEqual(['✓', '✗', ''])
    expect(state).toBe('any')
  })
})

describe('toQueryFilters', () => {
  it('turns chip states into query filters in attribute order, skipping "any"', () => {
    const states: Record<string, FilterState> = { Smiling: 'no', Male: 'yes', Bald: 'any' }
    expect(toQueryFilters(states, ['Bald', 'Male', 'Smiling', 'Young'])).toEqual([
      { attribute: 'Male', value: 1 },
      { attribute: 'Smiling', value: -1 },
    ])
    expect(activeFilterCount(states)).toBe(2)
  })

  it('ignores states of attributes the dataset no longer has', () => {
    expect(toQueryFilters({ Gone: 'yes' }, ['Male'])).toEqual([])
  })
})

describe('attributeLabel', () => {
  it('makes CelebA names readable', () => {
    expect(attributeLabel('Wearing_Necktie')).toBe('Wearing necktie')
    expect(attributeLabel('5_o_Clock_Shadow')).toBe('5 o clock shadow')
  })
})
