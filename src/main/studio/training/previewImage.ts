import { comparisonPng } from '../../export/faceGrid'

/** The seed notebook's reconstruction figure as a PNG data URL the page can show without a request. */
export async function previewDataUrl(
  originalsRgb: Uint8Array,
  reconstructionsRgba: Uint8ClampedArray,
  size: number,
): Promise<string> {
  const png = await comparisonPng(originalsRgb, reconstructionsRgba, size)
  return `data:image/png;base64,${png.toString('base64')}`
}
