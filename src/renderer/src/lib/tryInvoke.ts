import type { MethodInput, MethodName, MethodOutput, StudioClient } from '@shared/contract'
import { errorMessage } from './format'

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string }

/**
 * A method call whose failure the panel shows in place (say, "no trained run yet" when a screen
 * opens) instead of raising the page's error banner, which is for actions the user took.
 */
export async function tryInvoke<M extends MethodName>(
  client: StudioClient,
  method: M,
  input: MethodInput<M>,
): Promise<Outcome<MethodOutput<M>>> {
  try {
    return { ok: true, value: await client.invoke(method, input) }
  } catch (error) {
    return { ok: false, error: errorMessage(error) }
  }
}
