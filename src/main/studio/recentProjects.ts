import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { recentProjectSchema, type RecentProject } from '../../shared/contract'

const MAX_RECENT = 12
const fileSchema = z.array(recentProjectSchema)

/** The user's recently opened projects, kept in a JSON file in the studio's user-data folder. */
export class RecentProjects {
  private readonly file: string

  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'recent-projects.json')
  }

  list(): RecentProject[] {
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch {
      return []
    }
    try {
      return fileSchema.parse(JSON.parse(text))
    } catch {
      // A damaged list only costs the user their recents; the projects themselves are untouched.
      return []
    }
  }

  remember(project: { path: string; name: string }, now = new Date()): void {
    const entries = this.list().filter((entry) => entry.path !== project.path)
    entries.unshift({ path: project.path, name: project.name, openedAt: now.toISOString() })
    mkdirSync(dirname(this.file), { recursive: true })
    const temp = `${this.file}.tmp`
    writeFileSync(temp, JSON.stringify(entries.slice(0, MAX_RECENT), null, 2))
    renameSync(temp, this.file)
  }
}
