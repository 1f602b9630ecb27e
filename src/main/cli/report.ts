import cliProgress from 'cli-progress'
import { RateEstimator, formatDuration, type ProgressUpdate } from '../../shared/progress'

export interface Reporter {
  progress(update: ProgressUpdate): void
  /** Free-form status for humans; goes to stderr. */
  info(message: string): void
  /** Ends the command: with --json, exactly one JSON object on stdout; otherwise the human summary. */
  result(value: unknown, human: () => string): void
  close(): void
}

/**
 * With --json, progress goes to stderr as plain lines and stdout carries only the result object.
 * Without it, a bar with rate and ETA on a TTY, or a line every few seconds when piped.
 */
export function createReporter(json: boolean): Reporter {
  const interactive = !json && process.stderr.isTTY === true
  let bar: cliProgress.SingleBar | null = null
  let barPhase = ''
  const estimator = new RateEstimator()
  let lastLine = 0

  const stopBar = (): void => {
    bar?.stop()
    bar = null
  }

  return {
    progress(update) {
      const now = Date.now()
      if (update.phase !== barPhase) {
        stopBar()
        barPhase = update.phase
        estimator.reset()
      }
      estimator.update(update.done, now)
      const rate = estimator.rate()
      const eta = formatDuration(estimator.etaSeconds(update.done, update.total))
      if (interactive) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              format: `${update.phase.padEnd(12)} [{bar}] {value}/{total} | {rate}/s | ETA {etaText}`,
              hideCursor: true,
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          )
          bar.start(update.total, update.done, { rate: '0', etaText: '--:--' })
        }
        bar.setTotal(update.total)
        bar.update(update.done, { rate: rate.toFixed(1), etaText: eta })
      } else if (now - lastLine > 2000 || update.done >= update.total) {
        lastLine = now
        process.stderr.write(
          `${update.phase}: ${update.done}/${update.total} (${rate.toFixed(1)}/s, ETA ${eta})\n`,
        )
      }
    },
    info(message) {
      if (bar) bar.stop()
      bar = null
      process.stderr.write(`${message}\n`)
    },
    result(value, human) {
      stopBar()
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`)
      else process.stdout.write(`${human()}\n`)
    },
    close: stopBar,
  }
}
