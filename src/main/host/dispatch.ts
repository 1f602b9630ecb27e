import {
  ContractError,
  isMethodName,
  parseMethodInput,
  type MethodName,
  type StudioApi,
} from '../../shared/contract'

/**
 * The one entry every transport uses: checks the method exists, validates its payload against the
 * contract, then calls the service. Errors come back as plain messages.
 */
export async function dispatch(
  service: StudioApi,
  method: unknown,
  input: unknown,
): Promise<unknown> {
  if (!isMethodName(method)) {
    throw new ContractError(`unknown method ${JSON.stringify(method)}`, 'unknown-method')
  }
  const parsed = parseMethodInput(method, input)
  const handler = service[method] as (input: unknown) => Promise<unknown>
  return handler.call(service, parsed)
}

export function errorCode(error: unknown): string {
  return error instanceof ContractError ? error.code : 'failed'
}

export type { MethodName }
