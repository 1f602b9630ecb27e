/** Which square of each source image becomes the cached face. Pure: no I/O. */

export type CropSpec =
  /** CelebA's usual face crop: the centred 148×148 of a 178×218 image, else the centred square of the shorter side. */
  | { kind: 'celeba' }
  /** The centred square whose side is `fraction` of the shorter side (0 < fraction ≤ 1). */
  | { kind: 'center'; fraction: number }
  /** A fixed square in source pixels, for folders of same-size images. */
  | { kind: 'box'; left: number; top: number; side: number }

export const DEFAULT_CROP: CropSpec = { kind: 'celeba' }

export interface CropBox {
  left: number
  top: number
  side: number
}

const CELEBA_WIDTH = 178
const CELEBA_HEIGHT = 218
const CELEBA_FACE_SIDE = 148

/** A short stable name for the crop: part of the cache's file name and its database key. */
export function cropKey(crop: CropSpec): string {
  switch (crop.kind) {
    case 'celeba':
      return 'celeba'
    case 'center':
      return `center-${crop.fraction}`
    case 'box':
      return `box-${crop.left}-${crop.top}-${crop.side}`
  }
}

export function validateCrop(crop: CropSpec): void {
  if (crop.kind === 'center' && !(crop.fraction > 0 && crop.fraction <= 1)) {
    throw new Error(`crop fraction must be in (0, 1], got ${crop.fraction}`)
  }
  if (crop.kind === 'box') {
    const { left, top, side } = crop
    if (![left, top, side].every(Number.isInteger) || left < 0 || top < 0 || side < 1) {
      throw new Error(`crop box needs whole numbers left ≥ 0, top ≥ 0, side ≥ 1`)
    }
  }
}

/** The crop box for an image of the given size, or a reason it cannot be cropped. */
export function cropBox(crop: CropSpec, width: number, height: number): CropBox | string {
  const shorter = Math.min(width, height)
  let side: number
  switch (crop.kind) {
    case 'celeba':
      side = width === CELEBA_WIDTH && height === CELEBA_HEIGHT ? CELEBA_FACE_SIDE : shorter
      break
    case 'center':
      side = Math.max(1, Math.round(shorter * crop.fraction))
      break
    case 'box':
      if (crop.left + crop.side > width || crop.top + crop.side > height) {
        return `crop box ${crop.side}×${crop.side} at (${crop.left}, ${crop.top}) does not fit a ${width}×${height} image`
      }
      return { left: crop.left, top: crop.top, side: crop.side }
  }
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), side }
}
