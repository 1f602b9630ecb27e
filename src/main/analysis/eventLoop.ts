/** Lets an AbortSignal fired by another task be seen between chunks of synchronous work. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
