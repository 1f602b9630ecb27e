import type { AttributeVector, CelebaAttribute } from './celebaAttributes'

const HAIR_COLOURS: readonly CelebaAttribute[] = [
  'Black_Hair',
  'Blond_Hair',
  'Brown_Hair',
  'Gray_Hair',
]
const FACIAL_HAIR: readonly CelebaAttribute[] = [
  '5_o_Clock_Shadow',
  'Goatee',
  'Mustache',
  'Sideburns',
]

/**
 * Makes sampled labels describe a face that can be drawn: the tree model only knows pairs, so it
 * can produce a bald head with bangs or a woman with a goatee. The label file must describe the
 * picture, so the labels are changed rather than the drawing. `random` breaks ties. Pure.
 */
export function enforceConstraints(input: AttributeVector, random: () => number): AttributeVector {
  const v = { ...input }
  const keepOne = (names: readonly CelebaAttribute[]): void => {
    const on = names.filter((n) => v[n])
    if (on.length < 2) return
    const keep = on[Math.floor(random() * on.length)]
    for (const n of on) v[n] = n === keep
  }
  if (!v.Male) {
    for (const n of FACIAL_HAIR) v[n] = false
    v.No_Beard = true
    v.Bald = false
  }
  // A moustache or goatee is a beard in CelebA's sense.
  if (v.Goatee || v.Mustache) v.No_Beard = false
  // The hat hides the scalp.
  if (v.Wearing_Hat) v.Bald = false
  if (v.Bald) {
    for (const n of HAIR_COLOURS) v[n] = false
    v.Bangs = false
    v.Straight_Hair = false
    v.Wavy_Hair = false
    v.Receding_Hairline = false
  }
  if (v.Bangs) v.Receding_Hairline = false
  keepOne(HAIR_COLOURS)
  keepOne(['Straight_Hair', 'Wavy_Hair'])
  return v
}

/** The same rules as checks, for tests and for validating generated rows: the broken rule or null. */
export function violatedConstraint(v: AttributeVector): string | null {
  if (!v.Male && FACIAL_HAIR.some((n) => v[n])) return 'facial hair on a face not labelled Male'
  if (!v.Male && !v.No_Beard) return 'a beard on a face not labelled Male'
  if ((v.Goatee || v.Mustache) && v.No_Beard) return 'Goatee or Mustache with No_Beard'
  if (v.Wearing_Hat && v.Bald) return 'Bald under a hat'
  if (v.Bald && (HAIR_COLOURS.some((n) => v[n]) || v.Bangs)) return 'Bald with hair colour or bangs'
  if (v.Bangs && v.Receding_Hairline) return 'Bangs with a receding hairline'
  if (HAIR_COLOURS.filter((n) => v[n]).length > 1) return 'more than one hair colour'
  if (v.Straight_Hair && v.Wavy_Hair) return 'both straight and wavy hair'
  return null
}
