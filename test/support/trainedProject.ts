import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { repoRoot } from './sharedData'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A project with synthetic faces, ingested at 64×64, trained briefly (classic-64) and encoded. */
    trainedProject: string
    /** The synthetic CelebA folder that project was ingested from. */
    trainedProjectDataset: string
  }
}

function cli(args: string[]): void {
  execFileSync(process.execPath, [join(repoRoot, 'bin', 'face-studio.js'), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
}

/**
 * Built once per test run, the way a user would (synth → ingest → train → encode), and shared by every
 * suite that needs a trained model: training is the slow part on wasm.
 */
export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'face-studio-trained-'))
  const dataset = join(root, 'faces')
  const projectDir = join(root, 'project')
  cli(['synth', '--out', dataset, '--count', '240', '--seed', '11'])
  cli(['ingest', dataset, '--project', projectDir, '--size', '64'])
  cli(['train', '--project', projectDir, '--preset', 'classic-64', '--steps', '24', '--seed', '5'])
  cli(['encode', '--project', projectDir])
  project.provide('trainedProject', projectDir)
  project.provide('trainedProjectDataset', dataset)
  return () => rmSync(root, { recursive: true, force: true })
}
