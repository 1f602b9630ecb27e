import { describe, expect, it } from 'vitest'
import {
  ContractError,
  events,
  methods,
  parseMethodInput,
  type MethodName,
} from '../../src/shared/contract'

describe('contract validation', () => {
  it('fills defaults for a dataset query', () => {
    expect(parseMethodInput('dataset.query', {})).toEqual({ filters: [], offset: 0, limit: 200 })
  })

  it('names the field at fault', () => {
    expect(() => parseMethodInput('dataset.query', { limit: 0 })).toThrow(/dataset\.query: limit/)
    expect(() =>
      parseMethodInput('dataset.query', { filters: [{ attribute: 'Smiling', value: 2 }] }),
    ).toThrow(/filters\.0\.value/)
    expect(() => parseMethodInput('dataset.ingest', { datasetDir: '' })).toThrow(ContractError)
  })

  it('rejects unknown fields where a method takes none', () => {
    expect(() => parseMethodInput('app.info', { sneaky: true })).toThrow(/app\.info/)
  })

  it('refuses what does not fit, for every method and event', () => {
    for (const method of Object.keys(methods) as MethodName[]) {
      expect(() => parseMethodInput(method, 42), method).toThrow(`${method}: payload:`)
      // A handler that answers nothing breaks its output schema.
      expect(methods[method].output.safeParse(undefined).success, method).toBe(false)
    }
    for (const [event, schema] of Object.entries(events)) {
      expect(schema.safeParse({}).success, event).toBe(false)
    }
  })
})

describe('paths in payloads', () => {
  it('must be absolute so nothing lands beside the server process', () => {
    expect(() => parseMethodInput('projects.open', { path: 'relative/dir' })).toThrow(/absolute/)
    expect(parseMethodInput('projects.open', { path: '/home/me/faces' }).path).toBe(
      '/home/me/faces',
    )
    expect(parseMethodInput('projects.open', { path: 'C:\\faces' }).path).toBe('C:\\faces')
  })
})
