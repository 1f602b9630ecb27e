/**
 * All-or-nothing output: everything is written under a temporary name in the target's own folder
 * (so the final rename stays on one file system and is atomic), and renamed into place only when
 * complete. A failure or cancellation removes the temporary file or folder.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

function tempSibling(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  )
}

function checkParent(target: string): void {
  const parent = dirname(target)
  if (!existsSync(parent) || !statSync(parent).isDirectory()) {
    throw new Error(
      `${target}: the folder ${parent} does not exist; create it or choose another place`,
    )
  }
}

/** Writes the bytes to a temporary file beside `target`, then renames it onto `target`. */
export async function writeFileAtomic(target: string, data: Uint8Array): Promise<void> {
  checkParent(target)
  const temp = tempSibling(target)
  try {
    await writeFile(temp, data, { flag: 'wx' })
    await rename(temp, target)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

/**
 * Fills a fresh temporary folder through `fill`, then renames it to `target`. An existing target
 * folder is replaced only when `overwrite` is set (old one moved aside, new one renamed in, old one
 * removed), so a reader never sees a half-written sequence.
 */
export async function writeFolderAtomic(
  target: string,
  fill: (dir: string) => Promise<void>,
  overwrite = false,
): Promise<void> {
  checkParent(target)
  if (existsSync(target) && !overwrite) {
    throw new Error(`${target}: already exists; choose another folder or allow overwriting`)
  }
  const temp = tempSibling(target)
  try {
    await mkdir(temp)
    await fill(temp)
    if (existsSync(target)) {
      const old = tempSibling(target)
      await rename(target, old)
      try {
        await rename(temp, target)
      } catch (error) {
        await rename(old, target)
        throw error
      }
      await rm(old, { recursive: true, force: true })
    } else {
      await rename(temp, target)
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true })
    throw error
  }
}
