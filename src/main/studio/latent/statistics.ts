/** The latent-distribution inspector's numbers for a run: per-dimension moments, KL, histograms. */
import { klPerDimension, latentHistograms, latentStatistics } from '../../analysis'
import type { Db } from '../../store/database'
import type { LatentStatistics } from '../../../shared/contractLatent'
import { requireLatentTable } from './latentData'

export function runStatistics(
  db: Db,
  projectRoot: string,
  runId: number,
  dims = 30,
  bins = 40,
): LatentStatistics {
  const table = requireLatentTable(db, projectRoot, runId, { logVar: true })
  const { n, dim, mu } = table
  const stats = latentStatistics(mu, n, dim)
  const kl = klPerDimension(mu, table.logVar as Float32Array, n, dim)
  const hist = latentHistograms(mu, n, dim, { bins, min: -4, max: 4 })
  const shown = Math.min(dims, dim)
  return {
    runId,
    images: n,
    dim,
    activeUnits: stats.activeUnits,
    mean: Array.from(stats.mean),
    variance: Array.from(stats.variance),
    klPerDimension: Array.from(kl),
    histograms: Array.from({ length: shown }, (_, d) => ({
      dim: d,
      edges: Array.from(hist.edges),
      counts: Array.from(hist.counts[d] as Uint32Array),
      normal: Array.from(hist.normalCounts),
    })),
  }
}
