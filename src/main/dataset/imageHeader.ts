/**
 * Image dimensions read from the first bytes of a JPEG or PNG, so the crop can be planned and
 * oversized images refused before anything is decoded. Pure; null when the format is not one of these.
 */
export interface ImageDimensions {
  width: number
  height: number
}

export function headerDimensions(buf: Uint8Array): ImageDimensions | null {
  if (
    buf.length >= 24 &&
    buf[0] === 0x89 &&
    buf[1] === 0x50 &&
    buf[2] === 0x4e &&
    buf[3] === 0x47
  ) {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    return { width: view.getUint32(16), height: view.getUint32(20) }
  }
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xd8) return jpegDimensions(buf)
  return null
}

function jpegDimensions(buf: Uint8Array): ImageDimensions | null {
  let pos = 2
  while (pos + 4 <= buf.length) {
    if (buf[pos] !== 0xff) return null
    let marker = buf[pos + 1] as number
    while (marker === 0xff && pos + 2 < buf.length) {
      pos++
      marker = buf[pos + 1] as number
    }
    pos += 2
    // Markers without a length segment.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue
    if (pos + 2 > buf.length) return null
    const length = ((buf[pos] as number) << 8) | (buf[pos + 1] as number)
    const isFrame =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isFrame) {
      if (pos + 7 > buf.length) return null
      const height = ((buf[pos + 3] as number) << 8) | (buf[pos + 4] as number)
      const width = ((buf[pos + 5] as number) << 8) | (buf[pos + 6] as number)
      return { width, height }
    }
    pos += length
  }
  return null
}
