import { describe, expect, it } from 'vitest'
import {
  clampExportSize,
  defaultExportPath,
  formatBytes,
  slugName,
  withFormatEnding,
} from '../../src/renderer/src/lib/morphExport'

describe('export paths and sizes', () => {
  it('proposes a path in the project exports folder with the format ending', () => {
    expect(defaultExportPath('/home/me/proj/', 'gif', 'Smile → Frown')).toBe(
      '/home/me/proj/exports/smile-frown.gif',
    )
    expect(defaultExportPath('C:\\faces\\proj', 'png-sequence', '')).toBe(
      'C:\\faces\\proj\\exports\\morph-frames',
    )
    expect(slugName('  ***  ')).toBe('morph')
  })

  it('swaps a known ending when the format changes and leaves others alone', () => {
    expect(withFormatEnding('/tmp/a.gif', 'webp')).toBe('/tmp/a.webp')
    expect(withFormatEnding('/tmp/a.webp', 'png-sequence')).toBe('/tmp/a-frames')
    expect(withFormatEnding('/tmp/a-frames', 'png-strip')).toBe('/tmp/a.png')
    expect(withFormatEnding('/tmp/a.out', 'gif')).toBe('/tmp/a.out.gif')
    expect(withFormatEnding('/tmp/dir/', 'gif')).toBe('/tmp/dir/')
  })

  it('clamps the size to what the contract accepts', () => {
    expect(clampExportSize(1024)).toBe(512)
    expect(clampExportSize(3)).toBe(32)
    expect(clampExportSize(200.6)).toBe(201)
    expect(clampExportSize(Number.NaN)).toBe(256)
  })

  it('formats byte counts in decimal units', () => {
    expect(formatBytes(999)).toBe('999 bytes')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(2_345_678)).toBe('2.3 MB')
    expect(formatBytes(-1)).toBe('–')
  })
})
