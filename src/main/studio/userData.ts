import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where the studio keeps its own files (recents, the demo project) when no host says otherwise:
 * $FACE_STUDIO_HOME, else the XDG data folder.
 */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FACE_STUDIO_HOME) return env.FACE_STUDIO_HOME
  const base = env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share')
  return join(base, 'vae-face-studio')
}
