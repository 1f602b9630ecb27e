/** What the Training screen may do with runs in each state, and how it words them. Pure. */
import type { RunInfo, RunStatus } from '@shared/contract'

/** States of a run that still has a training process behind it. */
const LIVE: ReadonlySet<RunStatus> = new Set(['created', 'running', 'paused'])

export function isLiveStatus(status: RunStatus): boolean {
  return LIVE.has(status)
}

export interface ControlState {
  start: boolean
  pause: boolean
  resume: boolean
  stop: boolean
}

/**
 * Which of start / pause / resume / stop apply. `busy` while a request is on its way, so a double
 * click cannot send two. The host trains one run at a time, so start waits for the active one.
 */
export function controlState(active: RunInfo | null, busy: boolean): ControlState {
  if (busy) return { start: false, pause: false, resume: false, stop: false }
  const status = active?.status
  return {
    start: !active || !isLiveStatus(active.status),
    pause: status === 'running',
    resume: status === 'paused',
    stop: status !== undefined && isLiveStatus(status),
  }
}

/** Whether the history offers "resume" on a run: unfinished, and not the one training now. */
export function canResumeRun(run: RunInfo, activeRunId: number | null): boolean {
  return run.status !== 'finished' && run.id !== activeRunId
}

/** The backend badge: the backend, and on webgpu its adapter (marked when it is software). */
export function backendBadgeText(run: Pick<RunInfo, 'backend' | 'adapter'>): string {
  if (!run.backend) return 'choosing backend…'
  if (!run.adapter) return run.backend
  return `${run.backend} · ${run.adapter.name}${run.adapter.software ? ' (software)' : ''}`
}

/** The backend badge's tooltip: the adapter, and why each better backend was passed over. */
export function skippedBackendsText(
  run: Pick<RunInfo, 'backend' | 'skippedBackends' | 'adapter'>,
): string {
  const adapter = run.adapter
    ? ` GPU adapter: ${run.adapter.name} (${run.adapter.vendor}${run.adapter.software ? ', software' : ''}).`
    : ''
  const head = run.backend ? `Training on ${run.backend}.${adapter}` : 'Choosing a backend…'
  if (run.skippedBackends.length === 0) return head
  return [head, 'Skipped:', ...run.skippedBackends.map((s) => `• ${s.name}: ${s.reason}`)].join(
    '\n',
  )
}

/** A loss for a table cell: 3 significant digits, or a dash. */
export function formatLoss(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  const abs = Math.abs(value)
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(2)
  return String(Number(value.toPrecision(3)))
}

export function formatPsnr(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  return `${value.toFixed(2)} dB`
}

/** A finished run's quality in the history: SSIM and sharpness shown, every figure in the tooltip. */
export function formatQuality(quality: RunInfo['quality']): { text: string; title: string } {
  if (!quality) return { text: '–', title: 'Measured when a run finishes on a test split' }
  return {
    text: `SSIM ${quality.ssim.toFixed(3)} · sharp ${quality.sharpness.toFixed(2)}`,
    title:
      `On ${quality.images} test faces: PSNR ${quality.testPsnr.toFixed(2)} dB, SSIM ${quality.ssim.toFixed(3)}, ` +
      `KL ${quality.kl.toFixed(1)}, ${quality.activeUnits}/${quality.latentDim} active latent units; ` +
      `prior samples hold ${(quality.sharpness * 100).toFixed(0)} % of real faces' fine detail (Laplacian variance)`,
  }
}

/** Which run the screen shows when the user has not picked one: the live one, else the newest. */
export function defaultRunId(runs: readonly RunInfo[], active: RunInfo | null): number | null {
  if (active) return active.id
  let newest: RunInfo | null = null
  for (const run of runs) if (!newest || run.id > newest.id) newest = run
  return newest?.id ?? null
}

/** Replaces the run with the same id, or adds it; newest first, like `runs.list`. */
export function upsertRun(runs: readonly RunInfo[], run: RunInfo): RunInfo[] {
  const rest = runs.filter((r) => r.id !== run.id)
  return [run, ...rest].sort((a, b) => b.id - a.id)
}
