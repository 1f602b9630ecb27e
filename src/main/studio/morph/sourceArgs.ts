/**
 * Face sources as typed on the command line: a dataset image by its file name as ingested
 * (000010.jpg), `sample:SEED` (optionally `sample:SEED:TEMPERATURE`), or a photo on disk.
 */
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { FaceSource } from '../../../shared/contractLatent'
import type { Db } from '../../store/database'
import type { ProjectPaths } from '../../store/projectFolder'
import { findImageByFile } from '../../store/images'

export class SourceSyntaxError extends Error {}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile()
}

/** Syntax problems throw SourceSyntaxError (a usage error); unknown images and files throw Error. */
export function parseSourceArg(
  db: Db,
  paths: ProjectPaths,
  arg: string,
  cwd = process.cwd(),
): FaceSource {
  const text = arg.trim()
  if (text === '')
    throw new SourceSyntaxError('an empty face source; give an image id, a file or sample:SEED')
  if (text.startsWith('sample:')) {
    const [seedText = '', temperatureText] = text.slice('sample:'.length).split(':')
    const seed = Number(seedText)
    const temperature = temperatureText === undefined ? 1 : Number(temperatureText)
    if (seedText === '' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new SourceSyntaxError(`${text}: the seed must be a whole number from 0 to 4294967295`)
    }
    if (!(temperature > 0 && temperature <= 10)) {
      throw new SourceSyntaxError(`${text}: the temperature must be in (0, 10]`)
    }
    return { kind: 'sample', seed, temperature }
  }
  const onDisk = resolve(cwd, text)
  // A bare name is a dataset id first; anything with a folder in it is a path.
  if (!/[/\\]/.test(text)) {
    const image = findImageByFile(db, text)
    if (image) return { kind: 'image', imageId: image.id }
    if (isFile(onDisk)) return { kind: 'file', path: onDisk }
    throw new Error(
      `${text}: not an ingested image of ${paths.root} and not a file on disk; give a dataset file name (e.g. 000010.jpg), an image path or sample:SEED`,
    )
  }
  if (!isFile(onDisk)) throw new Error(`${onDisk}: no such image file`)
  return { kind: 'file', path: onDisk }
}
