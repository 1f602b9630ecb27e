/** A saved selection of dataset faces (the CLI's sel.json), validated wherever it is read. */
import { z } from 'zod'

export const selectionFileSchema = z.object({
  /** Dataset image ids, ascending, no repeats. */
  imageIds: z.array(z.number().int().positive()).max(2_000_000),
  /** Their file names, aligned with imageIds (for people reading the file). */
  files: z.array(z.string()).optional(),
  /** How the selection was made, e.g. "umap box -10,-10,0,0". */
  source: z.string().max(500).optional(),
})
export type SelectionFile = z.infer<typeof selectionFileSchema>

/** Ids sorted ascending without repeats. */
export function normaliseIds(ids: Iterable<number>): number[] {
  return [...new Set(ids)].sort((a, b) => a - b)
}
