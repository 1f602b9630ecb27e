import Database from 'better-sqlite3'
import { migrations } from './migrations'

export type Db = Database.Database

export class SchemaTooNewError extends Error {}

/** Opens (creating if needed) a project database in WAL mode and brings its schema up to date. */
export function openDatabase(file: string): Db {
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
  } catch (error) {
    db.close()
    throw damaged(file, error)
  }
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db, file)
  return db
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** SQLite's "file is not a database" names neither the file nor what to do about it. */
function damaged(file: string, error: unknown): unknown {
  const code = (error as { code?: string }).code
  if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') return error
  return new Error(
    `${file}: is not a SQLite database or is damaged; move it aside (the cache and runs folders beside it stay) and ingest the dataset again, or open another project`,
    { cause: error },
  )
}

function migrate(db: Db, file: string): void {
  const current = schemaVersion(db)
  if (current > migrations.length) {
    db.close()
    throw new SchemaTooNewError(
      `${file}: schema version ${current} is newer than this studio understands (${migrations.length}); update VAE Face Studio`,
    )
  }
  for (let version = current; version < migrations.length; version++) {
    const step = db.transaction(() => {
      db.exec(migrations[version] as string)
      db.pragma(`user_version = ${version + 1}`)
    })
    step()
  }
}

export function getSetting(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
    { value: string } | undefined
  return row?.value
}

export function setSetting(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value)
}
