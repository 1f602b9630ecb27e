/** Hand labels of a custom attribute as the selection grid shows them: image id → 1 or −1. */

export type LabelMap = ReadonlyMap<number, number>

export function labelMap(faces: { positives: number[]; negatives: number[] }): LabelMap {
  const map = new Map<number, number>()
  for (const id of faces.negatives) map.set(id, -1)
  for (const id of faces.positives) map.set(id, 1)
  return map
}

/** A new map with one face's label set (0 forgets it); the old one is left as it was. */
export function withLabel(labels: LabelMap | null, imageId: number, label: 1 | -1 | 0): LabelMap {
  const next = new Map(labels ?? [])
  if (label === 0) next.delete(imageId)
  else next.set(imageId, label)
  return next
}
