import type { AttributeVector } from './celebaAttributes'
import { sampleAttributes, type AttributeModel } from './attributeModel'
import { enforceConstraints } from './constraints'
import { drawFace, type DrawnFace } from './drawFace'
import { sampleFaceStyle, type FaceStyle } from './faceStyle'
import { createRng } from './rng'

export interface SyntheticFace {
  labels: AttributeVector
  style: FaceStyle
}

/**
 * Face `index` of the dataset drawn with `seed`: labels and style come from their own streams
 * seeded by (seed, index), so any face can be made alone, in any order, on any thread.
 */
export function planFace(model: AttributeModel, seed: number, index: number): SyntheticFace {
  const labelRng = createRng(seed, index * 2)
  const labels = enforceConstraints(sampleAttributes(model, labelRng.next), labelRng.next)
  const style = sampleFaceStyle(createRng(seed, index * 2 + 1))
  return { labels, style }
}

export function renderFace(face: SyntheticFace): DrawnFace {
  return drawFace(face.labels, face.style)
}
