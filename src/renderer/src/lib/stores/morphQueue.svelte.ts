/**
 * Faces waiting for the Morph screen's timeline. The Attributes screen adds the face it shows; the
 * Morph screen reads `items` (and removes what it took). Page-wide, so it outlives screen changes.
 */
import type { FaceSource } from '@shared/contractLatent'

export interface MorphQueueItem {
  id: number
  label: string
  latent: number[]
  /** The run whose decoder made sense of `latent`; a latent means nothing to another run. */
  runId: number
  /** The project the run belongs to. */
  projectPath: string
  /** Ready for a saved timeline's `sources`. */
  source: FaceSource
  addedAt: number
}

class MorphQueue {
  items = $state<MorphQueueItem[]>([])
  private nextId = 1

  add(face: { label: string; latent: readonly number[]; runId: number; projectPath: string }) {
    const latent = [...face.latent]
    const item: MorphQueueItem = {
      id: this.nextId++,
      label: face.label,
      latent,
      runId: face.runId,
      projectPath: face.projectPath,
      source: { kind: 'latent', latent, label: face.label.slice(0, 200) },
      addedAt: Date.now(),
    }
    this.items = [...this.items, item]
    return item
  }

  remove(id: number): void {
    this.items = this.items.filter((i) => i.id !== id)
  }

  /** The items of one project, removed from the queue (what the Morph screen takes in). */
  take(projectPath: string): MorphQueueItem[] {
    const taken = this.items.filter((i) => i.projectPath === projectPath)
    this.items = this.items.filter((i) => i.projectPath !== projectPath)
    return taken
  }

  clear(): void {
    this.items = []
  }
}

export const morphQueue = new MorphQueue()
