/** Schemas every part of the contract shares. Pure: no Node, no DOM. */
import { z } from 'zod'

/** Absolute on POSIX or Windows; pure so the page and the hosts agree. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')
}

export const absolutePathSchema = z
  .string()
  .min(1, 'a path is required')
  .max(4096)
  .refine((p) => !p.includes('\0'), 'a path may not contain NUL bytes')
  .refine(isAbsolutePath, 'give an absolute path (starting with / or a drive letter)')

/** A latent vector as JSON numbers; bounded so a payload cannot ask for unbounded work. */
export const latentSchema = z.array(z.number().finite()).min(1).max(4096)

export const runIdSchema = z.number().int().positive()

/** A face as a PNG data URL (small, so it travels inline on every transport). */
export const imageDataUrlSchema = z.string().startsWith('data:image/')
