/**
 * Where the page may ask the studio to write: a plain file name inside the project's exports/
 * folder, or (Electron only) a path the person picks in the host's own save dialog, which never
 * passes through the page. Pure, so the page validates names the way the hosts do.
 */
import { z } from 'zod'

export const MAX_EXPORT_NAME = 120

/** Why a name is not a plain file name of exports/, or null when it is one. */
export function exportNameProblem(name: string): string | null {
  if (name.length === 0) return 'a file name is required'
  if (name.length > MAX_EXPORT_NAME) return `at most ${MAX_EXPORT_NAME} characters`
  if (/[/\\]/.test(name)) return 'a file name only, without folders (no / or \\)'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f:*?"<>|]/.test(name))
    return 'control characters and :*?"<>| are not allowed'
  if (name.startsWith('.')) return 'may not start with a dot'
  if (name !== name.trim()) return 'may not start or end with a space'
  return null
}

export const exportNameSchema = z.string().superRefine((name, ctx) => {
  const problem = exportNameProblem(name)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

export const saveTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exports'), name: exportNameSchema }).strict(),
  /** The host asks the person with its own save dialog; serve mode has none. */
  z.object({ kind: z.literal('dialog'), suggestedName: exportNameSchema.optional() }).strict(),
])
export type SaveTarget = z.infer<typeof saveTargetSchema>

/** The ending a name must have for what is written there; '' is a folder (a PNG sequence). */
export function nameEndingProblem(name: string, ending: string): string | null {
  const lower = name.toLowerCase()
  if (ending === '') {
    return /\.[a-z0-9]{1,5}$/.test(lower)
      ? 'a PNG sequence is a folder: give a name without an ending'
      : null
  }
  return lower.endsWith(ending) && lower.length > ending.length
    ? null
    : `give a name ending in ${ending}`
}

/** Where a method wrote: the absolute path, and the exports/ name the page may download by. */
export const savedFileSchema = z.object({
  file: z.string().nullable(),
  download: z.string().nullable(),
})
