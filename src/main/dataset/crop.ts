/** Which square of each source image becomes the cached face. Pure: no I/O. */
import type { LayoutKind } from './layout'

export type CropSpec =
  /**
   * CelebA's usual face crop: the centred 148×148 of a 178×218 image. With `scaled` (a dataset in
   * CelebA's layout) it scales with the image, 148/178 of the width, so a copy at another size gets
   * the same face; without it, other sizes get the centred square of the shorter side.
   */
  | { kind: 'celeba'; scaled?: boolean }
  /** The centred square whose side is `fraction` of the shorter side (0 < fraction ≤ 1). */
  | { kind: 'center'; fraction: number }
  /** A fixed square in source pixels, for folders of same-size images. */
  | { kind: 'box'; left: number; top: number; side: number }

export const DEFAULT_CROP: CropSpec = { kind: 'celeba' }

/**
 * The crop a dataset is ingested with: CelebA's scaled face crop for a folder in CelebA's layout
 * (annotation files or an img_align_celeba folder), whatever size its copies were saved at; any other
 * folder of faces keeps the default. The cache key is the same, so a project's cache stays one file.
 */
export function datasetDefaultCrop(layout: LayoutKind): CropSpec {
  return layout === 'folder' ? DEFAULT_CROP : { kind: 'celeba', scaled: true }
}

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
      if (crop.scaled) side = Math.min(shorter, scaledFaceSide(width))
      else side = width === CELEBA_WIDTH && height === CELEBA_HEIGHT ? CELEBA_FACE_SIDE : shorter
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

/**
 * 148/178 of the width (exactly 148 at CelebA's own width), rounded to the nearest side that leaves an
 * even margin: at 89 px wide that is 75 rather than 74, which keeps the crop exactly centred, and a
 * half-pixel shift costs more likeness to the original's crop than a 1 % larger square does.
 */
function scaledFaceSide(width: number): number {
  const exact = (width * CELEBA_FACE_SIDE) / CELEBA_WIDTH
  // Half-way margins round down, to the larger square.
  const side = width - 2 * Math.ceil((width - exact) / 2 - 0.5)
  return Math.max(1, side)
}
