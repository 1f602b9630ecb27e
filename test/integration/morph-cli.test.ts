import { spawn, spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  watch,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import omggif from 'omggif'
import sharp from 'sharp'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { uniformTimeline } from '../../src/main/studio/morph/simpleTimeline'
import { sequenceFileName } from '../../src/main/export'
import { scheduleDelays, scheduleFrames } from '../../src/shared/latent'
import { repoRoot } from '../support/sharedData'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('morph-cli-')
afterAll(() => temp.cleanup())
const project = join(temp.dir, 'project')
cpSync(inject('trainedProject'), project, { recursive: true })
const photos = join(inject('trainedProjectDataset'), 'img_align_celeba')
const [firstId, secondId, thirdId] = readdirSync(photos)
  .filter((f) => f.endsWith('.jpg'))
  .sort()
  .slice(3, 6) as [string, string, string]
const bin = join(repoRoot, 'bin', 'face-studio.js')

function morph(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'morph', '--project', project, ...args], {
    cwd: temp.dir,
    encoding: 'utf8',
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>
}

/** The schedule the CLI's flags describe, from the pure timeline code (latents do not matter to it). */
function expectedTimeline(keyframes: number, frames: number, hold: number, pingPong: boolean) {
  return uniformTimeline(
    Array.from({ length: keyframes }, (_, i) => ({ latent: [i, 1] })),
    {
      frames,
      interpolation: 'lerp',
      easing: 'linear',
      hold,
      loop: pingPong ? 'ping-pong' : 'once',
      fps: 25,
    },
  )
}

describe('face-studio morph', () => {
  it('writes a looping GIF with one global palette, holds as longer delays, read back by omggif', () => {
    const out = join(temp.dir, 'hold.gif')
    const r = morph([
      ...['--from', firstId, '--to', secondId, '--via', thirdId],
      ...['--frames', '5', '--hold', '3', '--fps', '25', '--plays', '3', '--size', '96'],
      ...['--out', out, '--json'],
    ])
    expect(r.status, r.stderr).toBe(0)
    const result = lastJson(r.stdout)
    const expected = scheduleDelays(expectedTimeline(3, 5, 3, false))
    expect(result).toMatchObject({ file: out, frames: expected.length })
    expect(result.bytes).toBe(readFileSync(out).length)
    expect(typeof result.seconds).toBe('number')

    const reader = new omggif.GifReader(new Uint8Array(readFileSync(out)))
    expect(reader.width).toBe(96)
    expect(reader.numFrames()).toBe(expected.length)
    const delays = Array.from({ length: reader.numFrames() }, (_, i) => reader.frameInfo(i).delay)
    expect(delays).toEqual(expected.map((f) => f.delayCs))
    // Keyframes are held: their delay is (1 + hold) frames at 25 fps; the others one frame.
    expect(delays[0]).toBe(16)
    expect(Math.min(...delays)).toBe(4)
    // Three plays: the NETSCAPE block counts the repeats after the first.
    expect(reader.loopCount()).toBe(2)
    for (let i = 0; i < reader.numFrames(); i++) {
      const info = reader.frameInfo(i)
      expect(info.has_local_palette).toBe(false)
      expect(info.palette_offset).toBe(reader.frameInfo(0).palette_offset)
    }
  })

  it('plays ping-pong forever: the frames come back in mirror order', () => {
    const out = join(temp.dir, 'pingpong.gif')
    const r = morph([
      ...[
        '--from',
        'sample:3',
        '--to',
        'sample:40',
        '--frames',
        '6',
        '--slerp',
        '--ease',
        'in-out',
      ],
      ...['--pingpong', '--size', '64', '--out', out, '--json'],
    ])
    expect(r.status, r.stderr).toBe(0)
    const reader = new omggif.GifReader(new Uint8Array(readFileSync(out)))
    const n = reader.numFrames()
    // One cycle: forward 0…6, back 5…1 (the turning frames are not repeated).
    expect(n).toBe(scheduleDelays(expectedTimeline(2, 6, 0, true)).length)
    expect(n).toBe(12)
    expect(reader.loopCount()).toBe(0)
    const pixels = new Uint8Array(reader.width * reader.height * 4)
    const frames = Array.from({ length: n }, (_, i) => {
      reader.decodeAndBlitFrameRGBA(i, pixels)
      return pixels.slice()
    })
    for (let k = 1; k < n / 2; k++) expect(frames[n - k]).toEqual(frames[k])
    // …and the turning frame is a different face from the first.
    expect(frames[n / 2]).not.toEqual(frames[0])
  })

  it('writes a PNG sequence folder (holds as repeated frames) and a contact strip', async () => {
    const folder = join(temp.dir, 'sequence')
    const seq = morph([
      ...['--from', firstId, '--to', secondId, '--frames', '4', '--hold', '2', '--size', '48'],
      ...['--out', `${folder}/`, '--json'],
    ])
    expect(seq.status, seq.stderr).toBe(0)
    const n = scheduleFrames(expectedTimeline(2, 4, 2, false)).length
    expect(lastJson(seq.stdout)).toMatchObject({ file: folder, frames: n })
    const files = readdirSync(folder).sort()
    expect(files).toEqual(Array.from({ length: n }, (_, i) => sequenceFileName('frame-', i, n)))
    const meta = await sharp(join(folder, files[0] as string)).metadata()
    expect([meta.width, meta.height]).toEqual([48, 48])
    // The held first keyframe repeats byte for byte.
    expect(readFileSync(join(folder, files[1] as string))).toEqual(
      readFileSync(join(folder, files[0] as string)),
    )

    const strip = join(temp.dir, 'strip.png')
    const ok = morph([
      ...['--from', firstId, '--to', secondId, '--frames', '4', '--size', '32'],
      ...['--out', strip, '--json'],
    ])
    expect(ok.status, ok.stderr).toBe(0)
    // The originals at both ends plus the 5 frames of the forward pass (α 0 … 1).
    expect(lastJson(ok.stdout)).toMatchObject({ frames: 7 })
    const stripMeta = await sharp(strip).metadata()
    expect(stripMeta.width).toBeGreaterThan(7 * 32)
  })

  it('names a bad image id or file (exit 1) and rejects usage errors (exit 2)', () => {
    const badId = morph(['--from', firstId, '--to', '999999.jpg', '--out', join(temp.dir, 'x.gif')])
    expect(badId.status).toBe(1)
    expect(badId.stderr).toContain('999999.jpg')
    expect(badId.stderr.trim().split('\n')).toHaveLength(1)

    const notImage = join(temp.dir, 'notes.txt')
    writeFileSync(notImage, 'not a picture')
    const badFile = morph(['--from', notImage, '--to', firstId, '--out', join(temp.dir, 'y.gif')])
    expect(badFile.status).toBe(1)
    expect(badFile.stderr).toContain(notImage)

    const badExt = morph(['--from', firstId, '--to', secondId, '--out', join(temp.dir, 'z.jpg')])
    expect(badExt.status).toBe(2)
    const badFrames = morph([
      '--from',
      firstId,
      '--to',
      secondId,
      '--frames',
      '0',
      '--out',
      'a.gif',
    ])
    expect(badFrames.status).toBe(2)
    const badSample = morph(['--from', 'sample:x', '--to', secondId, '--out', 'a.gif'])
    expect(badSample.status).toBe(2)
    const noOut = morph(['--from', firstId, '--to', secondId])
    expect(noOut.status).toBe(2)
    expect(existsSync(join(temp.dir, 'x.gif')) || existsSync(join(temp.dir, 'y.gif'))).toBe(false)
  })

  it('leaves no output when killed mid-export, and the next export removes what it left', async () => {
    const outDir = join(temp.dir, 'killed')
    const target = join(outDir, 'frames')
    mkdirSync(outDir)
    const child = spawn(
      process.execPath,
      [
        ...[bin, 'morph', '--project', project, '--from', firstId, '--to', secondId],
        ...['--frames', '300', '--size', '512', '--out', target, '--json'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.on('exit', (_code, signal) => done(signal)),
    )
    // The export's own temporary output appearing beside the target: it is under way.
    await new Promise<void>((killed, failed) => {
      const watcher = watch(outDir, () => {
        if (readdirSync(outDir).length > 0 && child.kill('SIGKILL')) {
          watcher.close()
          killed()
        }
      })
      child.on('exit', () => {
        watcher.close()
        failed(new Error(`exited before it could be killed: ${stderr}`))
      })
    })
    expect(await exited).toBe('SIGKILL')
    // kill -9 cannot clean up: only the hidden temporary is there, never a half-written `frames`.
    expect(readdirSync(outDir)).toEqual([expect.stringMatching(/^\.frames\.tmp-\d+-/)])
    const again = spawnSync(
      process.execPath,
      [
        ...[bin, 'morph', '--project', project, '--from', firstId, '--to', secondId],
        ...['--frames', '3', '--size', '64', '--out', target, '--json'],
      ],
      { encoding: 'utf8' },
    )
    expect(again.status, again.stderr).toBe(0)
    expect(readdirSync(outDir)).toEqual(['frames'])
  })
})
