/** Finding a dataset image by its file name. */
import type { DatasetPage, ImageRef } from '@shared/contract'

/** Asks the studio for the image by name: one indexed query, whatever the dataset's size. */
export async function findImageByName(
  query: (file: string) => Promise<DatasetPage>,
  wanted: string,
): Promise<ImageRef | null> {
  const name = wanted.trim()
  if (!name) return null
  const page = await query(name)
  return page.items[0] ?? null
}
