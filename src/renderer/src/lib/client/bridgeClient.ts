import type { MethodInput, MethodName, MethodOutput, StudioClient } from '@shared/contract'
import { unwrap } from '@shared/envelope'
import type { StudioBridge } from '@shared/transport'

/** The contract over the Electron preload's bridge, unwrapping its envelopes as serve's client does. */
export function createBridgeClient(bridge: StudioBridge): StudioClient {
  return {
    async invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      return unwrap(await bridge.invoke(method, input)) as MethodOutput<M>
    },
    on: (event, listener) => bridge.on(event, listener),
    thumbnailUrl: (imageId) => bridge.thumbnailUrl(imageId),
  }
}
