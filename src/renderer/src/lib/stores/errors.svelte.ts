import { errorMessage } from '../format'

export interface StudioNotice {
  id: number
  message: string
  kind: 'error' | 'info'
}

/** Messages for the banner: every rejected invoke ends up here instead of crashing the page. */
export class Notices {
  items = $state<StudioNotice[]>([])
  private nextId = 1

  error(error: unknown, context?: string): void {
    const message = errorMessage(error)
    this.push(context ? `${context}: ${message}` : message, 'error')
  }

  info(message: string): void {
    this.push(message, 'info')
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id)
  }

  clear(): void {
    this.items = []
  }

  private push(message: string, kind: StudioNotice['kind']): void {
    // The same failure repeated (say, every page of a scroll) is one banner, not a wall of them.
    if (this.items.some((n) => n.message === message && n.kind === kind)) return
    this.items = [...this.items.slice(-4), { id: this.nextId++, message, kind }]
  }
}
