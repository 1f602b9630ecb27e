/**
 * The EXIF orientation of a JPEG, read from its APP1 segment before decoding. Upright photos (every
 * CelebA file) can then skip sharp's autoOrient step, which costs time on every call even when there
 * is nothing to rotate. Pure; null whenever the answer is not certain, so callers keep autoOrient.
 */

const ORIENTATION_TAG = 0x0112
const TYPE_SHORT = 3

/** 1–8 as in EXIF (1 = upright, also when there is no EXIF), or null when unknown. */
export function jpegOrientation(buf: Uint8Array): number | null {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return null
  let orientation = 1
  let exifSeen = false
  let pos = 2
  while (pos + 2 <= buf.length) {
    if (buf[pos] !== 0xff) return null
    const marker = buf[pos + 1] as number
    if (marker === 0xff) {
      pos++
      continue
    }
    pos += 2
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue
    // Metadata comes before the first scan; the decoder reads none after it.
    if (marker === 0xda || marker === 0xd9) return orientation
    if (pos + 2 > buf.length) return null
    const length = ((buf[pos] as number) << 8) | (buf[pos + 1] as number)
    if (length < 2 || pos + length > buf.length) return null
    if (marker === 0xe1 && isExifHeader(buf, pos + 2, pos + length)) {
      if (exifSeen) return null
      exifSeen = true
      const value = tiffOrientation(buf, pos + 8, pos + length)
      if (value === null) return null
      orientation = value
    }
    pos += length
  }
  return null
}

function isExifHeader(buf: Uint8Array, start: number, end: number): boolean {
  const exif = [0x45, 0x78, 0x69, 0x66, 0, 0] // "Exif\0\0"
  return end - start >= exif.length && exif.every((byte, i) => buf[start + i] === byte)
}

/** Orientation from the TIFF structure in [start, end): IFD0's tag 0x0112, 1 when absent. */
function tiffOrientation(buf: Uint8Array, start: number, end: number): number | null {
  if (end - start < 8) return null
  const view = new DataView(buf.buffer, buf.byteOffset + start, end - start)
  const order = view.getUint16(0)
  if (order !== 0x4949 && order !== 0x4d4d) return null
  const little = order === 0x4949
  if (view.getUint16(2, little) !== 42) return null
  const ifd = view.getUint32(4, little)
  if (ifd + 2 > view.byteLength) return null
  const entries = view.getUint16(ifd, little)
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12
    if (entry + 12 > view.byteLength) return null
    if (view.getUint16(entry, little) !== ORIENTATION_TAG) continue
    if (view.getUint16(entry + 2, little) !== TYPE_SHORT) return null
    return view.getUint16(entry + 8, little)
  }
  return 1
}
