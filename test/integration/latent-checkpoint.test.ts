import { cpSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { countLatents, countStaleLatents } from '../../src/main/store/latents'
import { migrations } from '../../src/main/store/migrations'
import { openProjectFolder } from '../../src/main/store/projectFolder'
import { runCli } from '../support/cli'
import { makeTempDir } from '../support/tempDir'

const temp = makeTempDir('latent-checkpoint-')
afterAll(() => temp.cleanup())

describe('latents keyed by the checkpoint they came from', () => {
  it(
    'train → encode → train more → stale → encode re-encodes them',
    { timeout: 600_000 },
    async () => {
      const project = join(temp.dir, 'project')
      cpSync(inject('trainedProject'), project, { recursive: true })

      const current = await runCli(['encode', '--project', project, '--json'])
      expect(current.code).toBe(0)
      expect(current.json).toMatchObject({ run: 1, step: 24, latents: 240, encoded: 0 })

      // As if the run had been stopped at step 24 of 40: resuming trains it further.
      const db = new Database(join(project, 'studio.db'))
      db.prepare("UPDATE runs SET target_steps = 40, status = 'stopped' WHERE id = 1").run()
      db.close()
      const trained = await runCli(['train', '--project', project, '--resume', '--json'])
      expect(trained.code).toBe(0)
      expect(trained.json).toMatchObject({ run: 1, steps: 40, status: 'finished' })

      // The step-24 latents are stale: nothing reads them, and the command says what to run.
      const { db: store } = openProjectFolder(project)
      expect(countLatents(store, 1)).toBe(0)
      expect(countStaleLatents(store, 1)).toBe(240)
      store.close()
      const refused = await runCli(['vectors', '--project', project, '--json'])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/face-studio encode --project .* --run 1/)

      const again = await runCli(['encode', '--project', project, '--json'])
      expect(again.code).toBe(0)
      expect(again.json).toMatchObject({ run: 1, step: 40, latents: 240, encoded: 240 })
      const vectors = await runCli(['vectors', '--project', project, '--json'])
      expect(vectors.code).toBe(0)
      expect(vectors.json?.latents).toBe(240)
    },
  )

  it('marks the latents of a project from before the migration stale', () => {
    const dir = join(temp.dir, 'old-project')
    mkdirSync(dir, { recursive: true })
    const old = new Database(join(dir, 'studio.db'))
    const before = migrations.findIndex((sql) =>
      sql.includes('ALTER TABLE latents ADD COLUMN step'),
    )
    expect(before).toBeGreaterThan(0)
    for (const sql of migrations.slice(0, before)) old.exec(sql)
    old.pragma(`user_version = ${before}`)
    old
      .prepare(
        `INSERT INTO runs (id, created_at, updated_at, preset, config, seed, target_steps, steps_done, status, dataset_snapshot, dir)
         VALUES (1, 't', 't', 'classic-64', '{}', 1, 10, 10, 'finished', '{}', '/nowhere')`,
      )
      .run()
    old
      .prepare(
        "INSERT INTO images (id, file, size, mtime_ms, status) VALUES (1, '000001.jpg', 1, 1, 'ok')",
      )
      .run()
    old
      .prepare('INSERT INTO latents (run_id, image_id, mu, logvar) VALUES (1, 1, ?, ?)')
      .run(Buffer.alloc(8), Buffer.alloc(8))
    old.close()

    const { db } = openProjectFolder(dir)
    expect(countLatents(db, 1)).toBe(0)
    expect(countStaleLatents(db, 1)).toBe(1)
    db.close()
  })
})
