/** Tri-state attribute filters of the dataset grid: any, must be 1 (✓), must be −1 (✗). */

export type FilterState = 'any' | 'yes' | 'no'

/** Same shape as the contract's AttributeFilter, kept local so this module stays dependency-free. */
export interface AttributeFilterValue {
  attribute: string
  value: 1 | -1
}

const NEXT: Record<FilterState, FilterState> = { any: 'yes', yes: 'no', no: 'any' }

/** The click order of a chip: any → ✓ → ✗ → any. */
export function cycleFilter(state: FilterState): FilterState {
  return NEXT[state]
}

export function filterSymbol(state: FilterState): string {
  return state === 'yes' ? '✓' : state === 'no' ? '✗' : ''
}

/** The query's filters, in the order of `names`, skipping attributes left at "any". */
export function toQueryFilters(
  states: Readonly<Record<string, FilterState>>,
  names: readonly string[],
): AttributeFilterValue[] {
  const out: AttributeFilterValue[] = []
  for (const name of names) {
    const state = states[name]
    if (state === 'yes') out.push({ attribute: name, value: 1 })
    else if (state === 'no') out.push({ attribute: name, value: -1 })
  }
  return out
}

export function activeFilterCount(states: Readonly<Record<string, FilterState>>): number {
  return Object.values(states).filter((s) => s !== 'any').length
}

/** CelebA names are `Wearing_Necktie`; people read "Wearing necktie". */
export function attributeLabel(name: string): string {
  const spaced = name.replace(/_/g, ' ').trim()
  if (spaced.length === 0) return name
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase()
}
