/** CelebA's 40 attribute names in the order of list_attr_celeba.txt. */
export const CELEBA_ATTRIBUTES = [
  '5_o_Clock_Shadow',
  'Arched_Eyebrows',
  'Attractive',
  'Bags_Under_Eyes',
  'Bald',
  'Bangs',
  'Big_Lips',
  'Big_Nose',
  'Black_Hair',
  'Blond_Hair',
  'Blurry',
  'Brown_Hair',
  'Bushy_Eyebrows',
  'Chubby',
  'Double_Chin',
  'Eyeglasses',
  'Goatee',
  'Gray_Hair',
  'Heavy_Makeup',
  'High_Cheekbones',
  'Male',
  'Mouth_Slightly_Open',
  'Mustache',
  'Narrow_Eyes',
  'No_Beard',
  'Oval_Face',
  'Pale_Skin',
  'Pointy_Nose',
  'Receding_Hairline',
  'Rosy_Cheeks',
  'Sideburns',
  'Smiling',
  'Straight_Hair',
  'Wavy_Hair',
  'Wearing_Earrings',
  'Wearing_Hat',
  'Wearing_Lipstick',
  'Wearing_Necklace',
  'Wearing_Necktie',
  'Young',
] as const

export type CelebaAttribute = (typeof CELEBA_ATTRIBUTES)[number]

/** One face's labels: true where CelebA would write 1, false for -1. */
export type AttributeVector = Record<CelebaAttribute, boolean>

export const ATTRIBUTE_INDEX: Readonly<Record<CelebaAttribute, number>> = Object.fromEntries(
  CELEBA_ATTRIBUTES.map((name, i) => [name, i]),
) as Record<CelebaAttribute, number>

export function vectorFromBits(bits: readonly boolean[]): AttributeVector {
  return Object.fromEntries(
    CELEBA_ATTRIBUTES.map((name, i) => [name, bits[i] === true]),
  ) as AttributeVector
}

export function bitsFromVector(v: AttributeVector): boolean[] {
  return CELEBA_ATTRIBUTES.map((name) => v[name])
}
