/** CelebA's partition codes in the database (images.split): 0 train, 1 validation, 2 test, NULL none. */
import type { Split } from '../../shared/contract'

export function splitCode(split: Split): number | null {
  switch (split) {
    case 'train':
      return 0
    case 'validation':
      return 1
    case 'test':
      return 2
    case 'unassigned':
      return null
  }
}

export function splitName(code: number | null): Split {
  return code === 0 ? 'train' : code === 1 ? 'validation' : code === 2 ? 'test' : 'unassigned'
}
