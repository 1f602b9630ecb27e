import { comparisonPng, pngDataUrl } from '../../export/faceGrid'

/** The seed notebook's reconstruction figure as a PNG data URL the page can show without a request. */
export async function previewDataUrl(
  originalsRgb: Uint8Array,
  reconstructionsRgba: Uint8ClampedArray,
  size: number,
): Promise<string> {
  return pngDataUrl(await comparisonPng(originalsRgb, reconstructionsRgba, size))
}
