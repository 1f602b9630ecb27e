import { join } from 'node:path'
import sharp, { type Sharp } from 'sharp'
import type { AttributeModel } from './attributeModel'
import { celebaFileName } from './celebaFormat'
import { FACE_HEIGHT, FACE_WIDTH, type DrawnFace } from './drawFace'
import { planFace, renderFace } from './face'

export interface WorkerSetup {
  seed: number
  imageDir: string
  modelPath: string
}

/** JPEG options fixed so the same seed gives the same bytes; Huffman optimisation costs time. */
const JPEG = { quality: 90, optimiseCoding: false } as const

function encoder(face: DrawnFace): Sharp {
  const image = sharp(face.pixels, { raw: { width: FACE_WIDTH, height: FACE_HEIGHT, channels: 3 } })
  if (face.blurSigma > 0) image.blur(face.blurSigma)
  return image.jpeg(JPEG)
}

/** The JPEG bytes of a drawn face, as written to img_align_celeba. */
export async function encodeFace(face: DrawnFace): Promise<Buffer> {
  return encoder(face).toBuffer()
}

/** Draws, encodes and writes the given faces; encoding of one overlaps drawing of the next. */
export async function writeFaceImages(
  model: AttributeModel,
  setup: WorkerSetup,
  indices: readonly number[],
): Promise<void> {
  const pending: Promise<unknown>[] = []
  for (const index of indices) {
    const face = renderFace(planFace(model, setup.seed, index))
    const file = join(setup.imageDir, celebaFileName(index))
    pending.push(
      encoder(face)
        .toFile(file)
        .catch((error: unknown) => {
          throw new Error(`${file}: cannot write the image (${(error as Error).message})`, {
            cause: error,
          })
        }),
    )
  }
  await Promise.all(pending)
}
