import { execFile } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lastJsonLine, runCli } from '../support/cli'
import { repoRoot } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

/** `npm run quality:reference` needs Debian's python3-torch at /usr/bin/python3 (CI installs it). */

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    )
  })
}

const script = join(repoRoot, 'scripts/quality-reference.ts')
const tsx = join(repoRoot, 'node_modules/.bin/tsx')

describe('quality:reference', () => {
  const temp = makeTempDir('quality-reference-')
  const dataset = join(temp.dir, 'faces')
  const project = join(temp.dir, 'project')

  beforeAll(async () => {
    expect((await runCli(['synth', '--out', dataset, '--count', '96', '--seed', '6'])).code).toBe(0)
    expect((await runCli(['ingest', dataset, '--project', project, '--size', '64'])).code).toBe(0)
  }, 120_000)
  afterAll(() => temp.cleanup())

  it('says how to install PyTorch when the python lacks it', async () => {
    const fake = join(temp.dir, 'python-without-torch')
    writeFileSync(
      fake,
      '#!/bin/sh\necho "ModuleNotFoundError: No module named \'torch\'" >&2\nexit 1\n',
    )
    chmodSync(fake, 0o755)
    const r = await run(tsx, [script, '--project', project, '--steps', '2'], {
      FACE_STUDIO_PYTHON: fake,
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('cannot import torch')
    expect(r.stderr).toContain('apt-get install python3-torch')
  })

  it('follows Keras: TF "same" padding, glorot init, zero biases, batch-norm and Adam constants', async () => {
    const r = await run('/usr/bin/python3', [
      join(repoRoot, 'scripts/reference/vae_reference.py'),
      '--check',
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(lastJsonLine(r.stdout)).toEqual({
      convMatches: true,
      convTransposeShape: [1, 3, 12, 12],
      convTransposeMatches: true,
      bnMomentum: 0.01,
      bnEpsilon: 0.001,
      glorotWithinLimit: true,
      glorotLimit: Math.sqrt(6 / (4 * 9 + 8 * 9)),
      zeroBiases: true,
      adamEpsilon: 1e-7,
    })
  }, 120_000)

  it('trains the studio and the reference on the same batches and prints both figures', async () => {
    const r = await run(tsx, [
      script,
      '--project',
      project,
      '--steps',
      '3',
      '--seeds',
      '2',
      '--json',
    ])
    expect(r.code, r.stderr).toBe(0)
    const result = lastJsonLine(r.stdout) as {
      runs: {
        seed: number
        steps: number
        studio: { valLoss: number; testPsnr: number }
        reference: { valLoss: number; testPsnr: number; implementation: string }
        valLossGapPercent: number
      }[]
    }
    expect(result.runs).toHaveLength(1)
    const [one] = result.runs
    expect(one).toMatchObject({ seed: 2, steps: 3 })
    expect(one!.reference.implementation).toMatch(/^pytorch .*keras conventions/)
    for (const side of [one!.studio, one!.reference]) {
      expect(side.valLoss).toBeGreaterThan(0)
      expect(side.testPsnr).toBeGreaterThan(5)
    }
    const gap = (100 * (one!.studio.valLoss - one!.reference.valLoss)) / one!.reference.valLoss
    expect(one!.valLossGapPercent).toBeCloseTo(gap, 6)
  }, 600_000)

  it('refuses a run of a studio preset, which the reference does not implement', async () => {
    const trained = await runCli([
      'train',
      '--project',
      project,
      '--preset',
      'studio-64',
      '--steps',
      '1',
      '--json',
    ])
    expect(trained.code, trained.stderr).toBe(0)
    const runId = (lastJsonLine(trained.stdout) as { run: number }).run
    const r = await run(tsx, [script, '--project', project, '--run', String(runId)])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`run ${runId} is a studio-64 run`)
  }, 300_000)
})
