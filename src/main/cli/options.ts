import { InvalidArgumentError } from 'commander'

/** commander argument parsers that reject bad values as usage errors (exit 2). */

/** A whole number from `min` to `max`; the message names both bounds. */
export function intInRange(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected a whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, got "${value}"`,
      )
    }
    return n
  }
}

export function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`)
  return n
}

export function nonNegativeInt(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${value}"`)
  return n
}

export function finiteNumber(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`)
  return n
}

export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${value}"`)
    }
    return value as T
  }
}

export const FORCE_HELP =
  'replace an existing file that is not a PNG the studio wrote (never a database)'

/** The --force flag of commands that write a file. */
export function forced(flags: object): boolean {
  return (flags as { force?: unknown }).force === true
}
