/**
 * A small stand-in for the `electron` module, so the Electron adapter's own code runs where the
 * binary cannot be downloaded. It keeps what the adapter registers (the IPC handler, the protocol
 * handler, windows, dialogs, forked utility processes) and wires ipcRenderer to ipcMain as Electron
 * does: arguments and replies are structured-cloned, and a handler's throw reaches the renderer as
 * "Error invoking remote method…" carrying only the message.
 */
import { EventEmitter } from 'node:events'

type IpcHandler = (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => unknown
type DialogAnswer = { canceled: boolean; filePaths?: string[]; filePath?: string }

/** What the adapter did to the fake, and the knobs a test turns. */
export const fake = {
  paths: {} as Record<string, string>,
  /** The URL of the frame whose ipcRenderer calls; null stands for a frame that is gone. */
  senderUrl: 'file:///opt/face-studio/out/renderer/index.html' as string | null,
  ipcHandlers: new Map<string, IpcHandler>(),
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
  privilegedSchemes: [] as { scheme: string }[],
  windows: [] as FakeBrowserWindow[],
  exposed: new Map<string, unknown>(),
  permissionHandler: null as
    | null
    | ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void),
  /** Answers the next dialogs give, in order; each call is recorded with its arguments. */
  dialogAnswers: [] as DialogAnswer[],
  dialogCalls: [] as { kind: 'open' | 'save'; args: unknown[] }[],
  forks: [] as FakeUtilityProcess[],
  app: new EventEmitter(),
  quit: deferred<void>(),
  /** Lets app.whenReady() resolve, as Electron does once it has started. */
  ready: deferred<void>(),
}

const rendererSide = new EventEmitter()

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }

  send(channel: string, ...args: unknown[]): void {
    rendererSide.emit(channel, { sender: null }, ...structuredClone(args))
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents()
  loaded: { file?: string; url?: string } | null = null

  constructor(readonly options: Record<string, unknown>) {
    super()
    fake.windows.push(this)
  }

  static getAllWindows(): FakeBrowserWindow[] {
    return fake.windows
  }

  async loadFile(file: string): Promise<void> {
    this.loaded = { file }
  }

  async loadURL(url: string): Promise<void> {
    this.loaded = { url }
  }
}

export class FakeUtilityProcess extends EventEmitter {
  readonly posted: unknown[] = []
  killed = false

  constructor(
    readonly modulePath: string,
    readonly options: Record<string, unknown>,
  ) {
    super()
  }

  postMessage(message: unknown): void {
    this.posted.push(message)
  }

  kill(): boolean {
    this.killed = true
    return true
  }
}

function answerDialog(kind: 'open' | 'save', args: unknown[]): Promise<DialogAnswer> {
  fake.dialogCalls.push({ kind, args })
  const answer = fake.dialogAnswers.shift()
  if (!answer) throw new Error(`the test gave no answer for this ${kind} dialog`)
  return Promise.resolve(answer)
}

/** The module `vi.mock('electron', …)` hands the adapter and the preload. */
export const electronModule = {
  app: {
    getPath(name: string): string {
      const path = fake.paths[name]
      if (path === undefined) throw new Error(`the test set no path for app.getPath('${name}')`)
      return path
    },
    whenReady: () => fake.ready.promise,
    on(event: string, listener: (...args: unknown[]) => void) {
      fake.app.on(event, listener)
      return this
    },
    quit: () => fake.quit.resolve(),
  },
  BrowserWindow: FakeBrowserWindow,
  dialog: {
    showOpenDialog: (...args: unknown[]) => answerDialog('open', args),
    showSaveDialog: (...args: unknown[]) => answerDialog('save', args),
  },
  ipcMain: {
    handle(channel: string, handler: IpcHandler): void {
      if (fake.ipcHandlers.has(channel)) throw new Error(`a second handler for '${channel}'`)
      fake.ipcHandlers.set(channel, handler)
    },
  },
  ipcRenderer: {
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      const handler = fake.ipcHandlers.get(channel)
      if (!handler) throw new Error(`No handler registered for '${channel}'`)
      const frame = fake.senderUrl === null ? null : { url: fake.senderUrl }
      try {
        return structuredClone(await handler({ senderFrame: frame }, ...structuredClone(args)))
      } catch (error) {
        // eslint-disable-next-line preserve-caught-error -- Electron carries only the message across
        throw new Error(`Error invoking remote method '${channel}': ${String(error)}`)
      }
    },
    on(channel: string, listener: (...args: unknown[]) => void): void {
      rendererSide.on(channel, listener)
    },
    removeListener(channel: string, listener: (...args: unknown[]) => void): void {
      rendererSide.removeListener(channel, listener)
    },
  },
  contextBridge: {
    exposeInMainWorld(key: string, api: unknown): void {
      fake.exposed.set(key, api)
    },
  },
  protocol: {
    registerSchemesAsPrivileged(schemes: { scheme: string }[]): void {
      fake.privilegedSchemes.push(...schemes)
    },
    handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
      fake.protocolHandlers.set(scheme, handler)
    },
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler(handler: typeof fake.permissionHandler): void {
        fake.permissionHandler = handler
      },
    },
  },
  utilityProcess: {
    fork(modulePath: string, _args: string[], options: Record<string, unknown>) {
      const child = new FakeUtilityProcess(modulePath, options)
      fake.forks.push(child)
      return child
    },
  },
}
