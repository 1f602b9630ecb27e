/** The rows of a selection's make-up chart: the attributes furthest from their dataset share. */
import type { AttributeShare } from '@shared/contractSelection'

export interface MakeupRow extends AttributeShare {
  /** selected − overall, as a fraction. */
  difference: number
}

/** The `max` attributes most over- or under-represented, largest difference first. */
export function makeupRows(attributes: readonly AttributeShare[], max: number): MakeupRow[] {
  return attributes
    .map((a) => ({ ...a, difference: a.selected - a.overall }))
    .sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference) || a.name.localeCompare(b.name))
    .slice(0, Math.max(0, max))
}
