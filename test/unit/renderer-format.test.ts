import { describe, expect, it } from 'vitest'
import {
  baseName,
  errorMessage,
  formatCount,
  formatRate,
  isAbsolutePath,
  percent,
  phaseLabel,
} from '../../src/renderer/src/lib/format'

describe('renderer format helpers', () => {
  it('formats counts, rates and percentages for the progress panel', () => {
    expect(formatCount(202599)).toBe('202,599')
    expect(percent(50, 200)).toBe(25)
    expect(percent(5, 0)).toBe(0)
    expect(percent(300, 200)).toBe(100)
    expect(formatRate(1234.4)).toBe('1234 img/s')
    expect(formatRate(2.25)).toBe('2.3 img/s')
    expect(formatRate(0)).toBe('– img/s')
  })

  it('turns phase ids into labels and paths into names', () => {
    expect(phaseLabel('decode-images')).toBe('Decode images')
    expect(phaseLabel('')).toBe('Working')
    expect(baseName('/home/me/faces/')).toBe('faces')
    expect(baseName('C:\\data\\celeba')).toBe('celeba')
  })

  it('extracts a message from whatever a promise rejected with', () => {
    expect(errorMessage(new Error('no such folder: /x'))).toBe('no such folder: /x')
    expect(errorMessage('plain')).toBe('plain')
    expect(errorMessage(42)).toBe('unexpected error')
  })
})

describe('isAbsolutePath', () => {
  it('accepts POSIX and Windows absolute paths and rejects relative ones', () => {
    expect(isAbsolutePath('/work/shared/celeba-sample')).toBe(true)
    expect(isAbsolutePath('C:\\data\\celeba')).toBe(true)
    expect(isAbsolutePath('\\\\server\\share')).toBe(true)
    expect(isAbsolutePath('relative/path')).toBe(false)
    expect(isAbsolutePath('~/faces')).toBe(false)
    expect(isAbsolutePath('')).toBe(false)
  })
})
