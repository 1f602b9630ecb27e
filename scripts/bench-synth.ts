/**
 * Synthetic-face throughput: writes N faces (default 2000) into a temporary folder and reports
 * faces per second. `npm run bench:synth -- --json [--count N] [--workers W]`: the last stdout
 * line is {"facesPerSecond": …}.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSyntheticDataset } from '../src/main/dataset/synth/generate'

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const json = args.includes('--json')
const count = Number(flag('--count') ?? 2000)
const workers = flag('--workers') === undefined ? undefined : Number(flag('--workers'))

const dir = mkdtempSync(join(tmpdir(), 'bench-synth-'))
try {
  const load = loadavg()[0] ?? 0
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  await generateSyntheticDataset(dir, { count, seed: 1, workers })
  const seconds = (performance.now() - started) / 1000
  // CPU time of all threads: with other work on the machine, cores / cpuMsPerFace is the rate
  // an idle machine would reach.
  const cpu = process.cpuUsage(cpuBefore)
  const cpuMsPerFace = (cpu.user + cpu.system) / 1000 / count
  const result = {
    facesPerSecond: Math.round((count / seconds) * 10) / 10,
    count,
    seconds: Math.round(seconds * 100) / 100,
    cores: availableParallelism(),
    loadAverageBefore: Math.round(load * 100) / 100,
    cpuMsPerFace: Math.round(cpuMsPerFace * 100) / 100,
  }
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`)
  else {
    process.stdout.write(
      `${count} faces in ${result.seconds} s: ${result.facesPerSecond} faces/s ` +
        `(${result.cores} cores, load ${result.loadAverageBefore}, ${result.cpuMsPerFace} ms CPU per face)\n`,
    )
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
