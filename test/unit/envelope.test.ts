/** The reply envelope every transport sends, and the one way every client reads it. */
import { describe, expect, it } from 'vitest'
import { ContractError, settle, unwrap } from '../../src/shared/envelope'

describe('the reply envelope', () => {
  it('carries a value, or a failure with its message and the code the thrower gave', async () => {
    expect(await settle(async () => ({ faces: 3 }))).toEqual({ ok: true, value: { faces: 3 } })
    expect(
      await settle(() => Promise.reject(new ContractError('count: too big', 'bad-request'))),
    ).toEqual({ ok: false, error: 'count: too big', code: 'bad-request' })
    expect(await settle(() => Promise.reject(new Error('disk full')))).toEqual({
      ok: false,
      error: 'disk full',
      code: 'failed',
    })
  })

  it('unwraps to the value, or throws a ContractError with the same message and code', () => {
    expect(unwrap({ ok: true, value: [1, 2] })).toEqual([1, 2])
    expect(() =>
      unwrap({ ok: false, error: 'unknown method "x"', code: 'unknown-method' }),
    ).toThrow(
      expect.objectContaining({
        name: 'ContractError',
        message: 'unknown method "x"',
        code: 'unknown-method',
      }),
    )
  })

  it('refuses a reply that is not an envelope, saying so', () => {
    for (const reply of [
      undefined,
      'ok',
      { ok: false, error: 'x', code: 'teapot' },
      { value: 1 },
    ]) {
      expect(() => unwrap(reply)).toThrow(/not a reply/)
    }
  })
})
