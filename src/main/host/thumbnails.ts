import type { StudioService } from '../studio/service'

export interface ThumbnailReply {
  status: 200 | 404
  type: string
  body: Buffer | string
}

/** A dataset image's thumbnail, or a 404 that says why: both hosts answer thumbnails alike. */
export async function thumbnailReply(
  service: Pick<StudioService, 'thumbnail'>,
  imageId: number,
): Promise<ThumbnailReply> {
  try {
    const image = await service.thumbnail(imageId)
    return { status: 200, type: imageType(image), body: image }
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'not found'
    return { status: 404, type: 'text/plain', body: reason }
  }
}

/** The media type of image bytes by their signature, so a header never contradicts the body. */
export function imageType(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 12))
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png'
  }
  if (head[0] === 0xff && head[1] === 0xd8) return 'image/jpeg'
  if (
    head.subarray(0, 4).toString('latin1') === 'RIFF' &&
    head.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp'
  }
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif'
  return 'application/octet-stream'
}
