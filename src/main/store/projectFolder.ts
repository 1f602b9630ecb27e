import { mkdirSync, existsSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { openDatabase, type Db } from './database'
import { releaseOrphanedRuns } from './runs'
import { removeOrphanedCheckpointTemps } from './staleCheckpoints'

/** A project is a folder: studio.db, cache/, runs/, exports/. Dataset images stay where they are. */
export interface ProjectPaths {
  root: string
  database: string
  cache: string
  runs: string
  exports: string
}

export function projectPaths(dir: string): ProjectPaths {
  const root = resolve(dir)
  return {
    root,
    database: join(root, 'studio.db'),
    cache: join(root, 'cache'),
    runs: join(root, 'runs'),
    exports: join(root, 'exports'),
  }
}

export function projectName(dir: string): string {
  return basename(resolve(dir))
}

export function isProjectFolder(dir: string): boolean {
  return existsSync(projectPaths(dir).database)
}

/**
 * For commands that only read a project: a folder without studio.db is refused instead of being
 * turned into an empty project.
 */
export function openExistingProject(dir: string): { paths: ProjectPaths; db: Db } {
  const paths = projectPaths(dir)
  if (!isProjectFolder(dir)) {
    throw new Error(
      `${paths.root}: not a project folder (no studio.db); check the path, or ingest a dataset into it first`,
    )
  }
  return openProjectFolder(dir)
}

/** Creates the folder layout if missing and opens the project's database. */
export function openProjectFolder(dir: string): { paths: ProjectPaths; db: Db } {
  const paths = projectPaths(dir)
  if (existsSync(paths.root) && !statSync(paths.root).isDirectory()) {
    throw new Error(`${paths.root}: is a file, not a folder; choose a folder for the project`)
  }
  for (const folder of [paths.root, paths.cache, paths.runs, paths.exports]) {
    mkdirSync(folder, { recursive: true })
  }
  const db = openDatabase(paths.database)
  releaseOrphanedRuns(db)
  removeOrphanedCheckpointTemps(paths.runs)
  return { paths, db }
}
