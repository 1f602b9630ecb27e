/**
 * Reading "your own photo": only a regular file of bounded size, checked before it is opened and
 * again on the open descriptor (opened non-blocking, so a FIFO or device swapped in between cannot
 * block the read), and every failure reported the same way, so a request cannot probe which paths
 * exist or what they are.
 */
import { constants } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { ContractError } from '../../shared/contract'
import { MAX_PHOTO_BYTES } from '../../shared/limits'

export function notAnOpenableImage(path: string): ContractError {
  return new ContractError(
    `${path}: not an image you can open (give a JPEG, PNG or WebP file of at most ${MAX_PHOTO_BYTES / (1024 * 1024)} MB)`,
    'bad-request',
  )
}

function acceptable(info: { isFile(): boolean; size: number }): boolean {
  return info.isFile() && info.size > 0 && info.size <= MAX_PHOTO_BYTES
}

/** The file's bytes; throws notAnOpenableImage for anything that is not a readable regular file. */
export async function readPhotoFile(path: string): Promise<Buffer> {
  const before = await stat(path).catch(() => null)
  if (!before || !acceptable(before)) throw notAnOpenableImage(path)
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null)
  if (!handle) throw notAnOpenableImage(path)
  try {
    const info = await handle.stat()
    if (!acceptable(info)) throw notAnOpenableImage(path)
    // A file that grows while it is read is cut at the size it had when opened.
    const buf = Buffer.alloc(info.size)
    let filled = 0
    while (filled < buf.length) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return buf.subarray(0, filled)
  } catch (error) {
    if (error instanceof ContractError) throw error
    throw notAnOpenableImage(path)
  } finally {
    await handle.close()
  }
}
