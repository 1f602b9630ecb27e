import { spawnSync } from 'node:child_process'
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import {
  getSetting,
  openDatabase,
  schemaVersion,
  setSetting,
  SchemaTooNewError,
} from '../../src/main/store/database'
import { migrations } from '../../src/main/store/migrations'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import {
  createRun,
  getRun,
  latestTrainedRun,
  latestUnfinishedRun,
  listRuns,
  updateRun,
} from '../../src/main/store/runs'
import { makeTempDir } from '../support/tempDir'

describe('project store', () => {
  const temp = makeTempDir()
  afterAll(() => temp.cleanup())

  it('finds its runs in its own folder after the project was copied or moved', () => {
    const original = openProjectFolder(join(temp.dir, 'before-move'))
    const run = createRun(
      original.db,
      { preset: 'classic-64', config: {}, seed: 1, targetSteps: 10, datasetSnapshot: {} },
      (id) => join(original.paths.runs, `run-${id}`),
    )
    updateRun(original.db, run.id, { stepsDone: 5, status: 'stopped' })
    original.db.close()
    cpSync(original.paths.root, join(temp.dir, 'after-move'), { recursive: true })
    const copy = openProjectFolder(join(temp.dir, 'after-move'))
    const own = join(copy.paths.runs, `run-${run.id}`)
    // Its checkpoints are the copy's: training or encoding here never touches the original's.
    expect(getRun(copy.db, run.id)?.dir).toBe(own)
    expect(listRuns(copy.db).map((r) => r.dir)).toEqual([own])
    expect(latestUnfinishedRun(copy.db)?.dir).toBe(own)
    expect(latestTrainedRun(copy.db)?.dir).toBe(own)
    copy.db.close()
  })

  it('creates the project layout and a WAL database at the latest schema', () => {
    const { paths, db } = openProjectFolder(join(temp.dir, 'p1'))
    expect(schemaVersion(db)).toBe(migrations.length)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    for (const table of [
      'dataset',
      'images',
      'image_attributes',
      'runs',
      'run_metrics',
      'latents',
    ]) {
      const row = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?")
        .get(table)
      expect(row, table).toBeDefined()
    }
    expect(paths.cache.endsWith('cache')).toBe(true)
    db.close()
  })

  it('keeps data across reopen and does not re-run migrations', () => {
    const file = join(temp.dir, 'reopen.db')
    const db = openDatabase(file)
    setSetting(db, 'k', 'v1')
    setSetting(db, 'k', 'v2')
    db.close()
    const again = openDatabase(file)
    expect(getSetting(again, 'k')).toBe('v2')
    again.close()
  })

  it('refuses a database from a newer studio without touching it', () => {
    const file = join(temp.dir, 'newer.db')
    const raw = new Database(file)
    raw.pragma(`user_version = ${migrations.length + 5}`)
    raw.close()
    expect(() => openDatabase(file)).toThrow(SchemaTooNewError)
    expect(() => openDatabase(file)).toThrow(/newer\.db/)
  })
})

describe('runs left behind by a dead process', () => {
  const temp = makeTempDir()
  afterAll(() => temp.cleanup())

  it('are released as stopped when the project opens; live owners keep theirs', () => {
    const dir = join(temp.dir, 'orphans')
    const first = openProjectFolder(dir)
    const make = () =>
      createRun(
        first.db,
        { preset: 'classic-64', config: {}, seed: 1, targetSteps: 10, datasetSnapshot: {} },
        (id) => join(dir, 'runs', String(id)),
      ).id
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number
    const orphan = make()
    const paused = make()
    const mine = make()
    const finished = make()
    updateRun(first.db, orphan, { status: 'running', ownerPid: dead })
    updateRun(first.db, paused, { status: 'paused', ownerPid: dead })
    updateRun(first.db, mine, { status: 'running', ownerPid: process.pid })
    updateRun(first.db, finished, { status: 'finished', ownerPid: dead })
    first.db.close()

    const { db } = openProjectFolder(dir)
    const status = (id: number) => getRun(db, id)?.status
    expect(status(orphan)).toBe('stopped')
    expect(status(paused)).toBe('stopped')
    expect(status(mine)).toBe('running')
    expect(status(finished)).toBe('finished')
    expect(latestUnfinishedRun(db)?.id).toBe(mine)
    db.close()
  })
})
