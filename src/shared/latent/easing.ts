/** Easing curves for morphs: each maps [0,1] onto [0,1] monotonically, with f(0)=0 and f(1)=1. */

export const EASING_NAMES = ['linear', 'ease-in', 'ease-out', 'ease-in-out'] as const
export type EasingName = (typeof EASING_NAMES)[number]

const clamp01 = (t: number): number => (t <= 0 ? 0 : t >= 1 ? 1 : t)

export const easings: Record<EasingName, (t: number) => number> = {
  linear: (t) => clamp01(t),
  'ease-in': (t) => clamp01(t) ** 3,
  'ease-out': (t) => 1 - (1 - clamp01(t)) ** 3,
  'ease-in-out': (t) => {
    const x = clamp01(t)
    return x < 0.5 ? 4 * x ** 3 : 1 - (-2 * x + 2) ** 3 / 2
  },
}

export function ease(name: EasingName, t: number): number {
  const f = easings[name]
  if (!f) throw new Error(`easing: unknown curve '${name}' (use one of ${EASING_NAMES.join(', ')})`)
  return f(t)
}
