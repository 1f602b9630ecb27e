/** The Attributes screen's slider state turned into `latent.edit` requests. */
import type { AttributeEdit, DirectionMethodName } from '@shared/contractLatent'

export interface AttributeInfo {
  name: string
  auc: number | null
}

/** Best-separated attributes first; those without an AUC (an empty class) last, by name. */
export function sortByAuc<T extends AttributeInfo>(attributes: readonly T[]): T[] {
  return [...attributes].sort((a, b) => {
    if (a.auc === null || b.auc === null) {
      if (a.auc === b.auc) return a.name.localeCompare(b.name)
      return a.auc === null ? 1 : -1
    }
    return b.auc - a.auc || a.name.localeCompare(b.name)
  })
}

export function formatAuc(auc: number | null): string {
  return auc === null ? '–' : auc.toFixed(2)
}

/** Slider positions are shown and sent with one decimal; float noise must not count as an edit. */
export function roundIntensity(value: number): number {
  return Math.round(value * 10) / 10
}

/**
 * The edits for the current sliders, in attribute order: only non-zero ones, each made orthogonal
 * to the attributes the user chose to keep (known ones other than itself).
 */
export function buildEdits(
  order: readonly string[],
  intensities: Readonly<Record<string, number>>,
  keep: Readonly<Record<string, readonly string[]>>,
  /** Attributes edited along their linear classifier's normal; the rest use the mean difference. */
  methods: Readonly<Record<string, DirectionMethodName>> = {},
): AttributeEdit[] {
  const known = new Set(order)
  const edits: AttributeEdit[] = []
  for (const attribute of order) {
    const intensity = roundIntensity(intensities[attribute] ?? 0)
    if (intensity === 0) continue
    const orthogonalTo = (keep[attribute] ?? []).filter((o) => o !== attribute && known.has(o))
    edits.push(
      methods[attribute] === 'linear'
        ? { attribute, intensity, orthogonalTo, method: 'linear' }
        : { attribute, intensity, orthogonalTo },
    )
  }
  return edits
}

/** Adds or removes `other` from the attributes `attribute` keeps fixed. */
export function toggleKeep(
  keep: Readonly<Record<string, readonly string[]>>,
  attribute: string,
  other: string,
): Record<string, string[]> {
  const current = keep[attribute] ?? []
  const next = current.includes(other) ? current.filter((o) => o !== other) : [...current, other]
  const out: Record<string, string[]> = {}
  for (const [name, list] of Object.entries(keep)) out[name] = [...list]
  if (next.length > 0) out[attribute] = next
  else delete out[attribute]
  return out
}

/** All the edits but one attribute's: the face a strip of that attribute starts from. */
export function editsWithout(edits: readonly AttributeEdit[], attribute: string): AttributeEdit[] {
  return edits.filter((e) => e.attribute !== attribute)
}
