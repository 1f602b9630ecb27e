import { isAbsolutePath as isContractAbsolutePath } from '@shared/contract'
/** Number and progress formatting shared by the studio's screens. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export function formatCount(n: number): string {
  return integer.format(n)
}

/** 0–100, clamped; 0 while the total is unknown. */
export function percent(done: number, total: number): number {
  if (!(total > 0)) return 0
  return Math.min(100, Math.max(0, (done / total) * 100))
}

export function formatRate(perSecond: number, unit = 'img'): string {
  if (!(perSecond > 0)) return `– ${unit}/s`
  const digits = perSecond < 10 ? 1 : 0
  return `${perSecond.toFixed(digits)} ${unit}/s`
}

/** "Loading images" from phase ids such as `loading-images` or `decode_images`. */
export function phaseLabel(phase: string): string {
  const spaced = phase.replace(/[-_]+/g, ' ').trim()
  return spaced.length > 0 ? spaced.charAt(0).toUpperCase() + spaced.slice(1) : 'Working'
}

/** The last segment of a path, whichever separator the host uses. */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '')
  const parts = trimmed.split(/[\\/]/)
  return parts[parts.length - 1] || trimmed || path
}

/** A message for the user from whatever a rejected promise carried. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  if (typeof error === 'string') return error
  return 'unexpected error'
}

/**
 * Whether the host can take `path` as it is. The page cannot resolve paths (it does not know the
 * host's working directory), so it asks for absolute ones — by the contract's own rule.
 */
export function isAbsolutePath(path: string): boolean {
  return isContractAbsolutePath(path.trim())
}
