/**
 * The benches' command line: `--json` sends the human-readable lines to stderr so that stdout ends
 * with exactly one JSON object; numeric options are `--name N`.
 */
export const args = process.argv.slice(2)
export const json = args.includes('--json')

export function arg(name: string, fallback: number): number {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}

export function log(line: string): void {
  if (json) process.stderr.write(`${line}\n`)
  else process.stdout.write(`${line}\n`)
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The text after `name`, or undefined when the option is absent. */
export function option(name: string): string | undefined {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

/** A reason on stderr, prefixed with the script's name, and exit 1. */
export function failWith(script: string, message: string): never {
  process.stderr.write(`${script}: ${message}\n`)
  process.exit(1)
}
