/** The face under the playhead, as a small PNG: scrubbing wants speed, so the PNG is barely compressed. */
import sharp from 'sharp'
import { latentAt, type Timeline } from '../../../shared/latent'
import type { FaceModel } from '../faceModel'
import { checkLatentSize } from './decodeFaces'

/** zlib level 1: a 64×64 face encodes in well under a millisecond, a few kB larger than level 9. */
const PREVIEW_PNG = { compressionLevel: 1, adaptiveFiltering: false } as const

export async function morphFramePng(
  model: FaceModel,
  timeline: Timeline,
  position: number,
): Promise<Buffer> {
  const z = latentAt(timeline, position)
  checkLatentSize(model, [z])
  const rgba = await model.decode(z)
  return sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), {
    raw: { width: model.size, height: model.size, channels: 4 },
  })
    .png(PREVIEW_PNG)
    .toBuffer()
}
