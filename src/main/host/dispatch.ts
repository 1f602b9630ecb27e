import {
  ContractError,
  isMethodName,
  parseMethodInput,
  type MethodName,
  type StudioApi,
} from '../../shared/contract'
import { settle, type Envelope } from '../../shared/envelope'

/**
 * The one entry every transport uses: checks the method exists, validates its payload against the
 * contract, then calls the service.
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

/** A dispatched call as the envelope every transport sends back. */
export function dispatchEnvelope(
  service: StudioApi,
  method: unknown,
  input: unknown,
): Promise<Envelope> {
  return settle(() => dispatch(service, method, input))
}

export type { MethodName }
