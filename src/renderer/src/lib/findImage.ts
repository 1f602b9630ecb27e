/** Finding a dataset image by its file name through the paged `dataset.query`. */
import type { DatasetPage, ImageRef } from '@shared/contract'

export type PageFetcher = (offset: number, limit: number) => Promise<DatasetPage>

/** "000002.jpg", "img/000002.jpg" and "000002" all name the same file. */
export function fileMatches(file: string, wanted: string): boolean {
  const w = wanted.trim().replace(/\\/g, '/').toLowerCase()
  if (!w) return false
  const f = file.replace(/\\/g, '/').toLowerCase()
  const base = f.slice(f.lastIndexOf('/') + 1)
  const stem = base.replace(/\.[^.]+$/, '')
  return f === w || base === w || f.endsWith(`/${w}`) || (!w.includes('.') && stem === w)
}

/**
 * The image named `wanted`, or null. Pages through the dataset in its stored order and stops at the
 * first match, so a name near the start answers after one request.
 */
export async function findImageByFile(
  fetchPage: PageFetcher,
  wanted: string,
  pageSize = 5000,
): Promise<ImageRef | null> {
  if (!wanted.trim()) return null
  for (let offset = 0; ; offset += pageSize) {
    const page = await fetchPage(offset, pageSize)
    const hit = page.items.find((item) => fileMatches(item.file, wanted))
    if (hit) return hit
    if (page.items.length === 0 || offset + page.items.length >= page.total) return null
  }
}
