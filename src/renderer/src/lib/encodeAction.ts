import type { LatentStatus } from '@shared/contractLatent'
import { formatCount } from './format'

/** A rough duration for an estimate: "~20 s", "~3 min", "~1.5 h". */
export function roughDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds))
  if (s < 90) return `~${s} s`
  if (s < 90 * 60) return `~${Math.round(s / 60)} min`
  return `~${(s / 3600).toFixed(1)} h`
}

/** Images an encode would do now: those without a latent from the current checkpoint. */
export function imagesToEncode(status: LatentStatus): number {
  return Math.max(status.images - status.current, 0)
}

/** The action's button: "Encode with run 3 · 12,000 images · ~20 s". */
export function encodeActionLabel(status: LatentStatus): string {
  const n = imagesToEncode(status)
  return `Encode with run ${status.runId} · ${formatCount(n)} ${n === 1 ? 'image' : 'images'} · ${roughDuration(status.estimatedSeconds)}`
}

/** Why the screen needs it, in a sentence. */
export function encodeActionReason(status: LatentStatus): string {
  switch (status.state) {
    case 'stale':
      return `Run ${status.runId} was trained further (now at step ${formatCount(status.step)}): its latents are from an earlier checkpoint.`
    case 'partial':
      return `${formatCount(status.current)} of ${formatCount(status.images)} images have latents from run ${status.runId}'s checkpoint at step ${formatCount(status.step)}.`
    case 'missing':
      return `Run ${status.runId} has not encoded the images yet: the map, attribute vectors and neighbours come from their latents.`
    default:
      return ''
  }
}
