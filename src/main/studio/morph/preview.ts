/** The face under the playhead, as a small PNG: scrubbing wants speed, so no sharp pipeline. */
import { encodeSmallPng } from '../../export/smallPng'
import { latentAt, type Timeline } from '../../../shared/latent'
import type { FaceModel } from '../faceModel'
import { checkLatentSize } from './decodeFaces'

export async function morphFramePng(
  model: FaceModel,
  timeline: Timeline,
  position: number,
): Promise<Buffer> {
  const z = latentAt(timeline, position)
  checkLatentSize(model, [z])
  const rgba = await model.decode(z)
  return encodeSmallPng(rgba, model.size, model.size, 4)
}
