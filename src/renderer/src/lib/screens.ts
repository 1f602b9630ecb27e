/**
 * The studio's screens, in navigation order. Each is an entry here (Training, Explore, …) with
 * a component for each in App.svelte; the navigation renders whatever is listed here.
 */

export type ScreenId = 'projects' | 'dataset' | 'training' | 'explore' | 'attributes' | 'morph'

export interface ScreenInfo {
  id: ScreenId
  label: string
  /** Screens that only make sense with an open project. */
  needsProject: boolean
}

export const SCREENS: readonly ScreenInfo[] = [
  { id: 'projects', label: 'Projects', needsProject: false },
  { id: 'dataset', label: 'Dataset', needsProject: true },
  { id: 'training', label: 'Training', needsProject: true },
  { id: 'explore', label: 'Explore', needsProject: true },
  { id: 'attributes', label: 'Attributes', needsProject: true },
  { id: 'morph', label: 'Morph', needsProject: true },
]
