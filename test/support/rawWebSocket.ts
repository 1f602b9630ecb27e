import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

/**
 * A WebSocket client speaking the wire protocol by hand, so a test can send what no well-behaved
 * client would: invalid UTF-8, lying lengths, reserved bits, unmasked frames.
 */
export interface RawWebSocket {
  socket: Socket
  /** Resolves when the server has closed or reset the connection. */
  closed: Promise<void>
  send(bytes: Buffer): void
}

export function rawWebSocket(port: number, path: string, origin: string): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const closed = new Promise<void>((done) => {
      socket.once('close', () => done())
    })
    socket.on('error', () => undefined)
    let head = ''
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      socket.off('data', onData)
      if (!head.startsWith('HTTP/1.1 101')) {
        reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`))
        return
      }
      resolve({ socket, closed, send: (bytes) => socket.write(bytes) })
    }
    socket.on('data', onData)
    socket.once('connect', () => {
      socket.write(
        [
          `GET ${path} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          `Origin: ${origin}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      )
    })
    socket.once('error', reject)
  })
}

export interface FrameOptions {
  opcode?: number
  fin?: boolean
  /** The three reserved bits, 0…7. */
  rsv?: number
  mask?: boolean
  /** The length the header claims (default: the payload's). */
  declaredLength?: number
}

/** One WebSocket frame as a client sends it (masked unless told otherwise). */
export function wsFrame(payload: Buffer, options: FrameOptions = {}): Buffer {
  const opcode = options.opcode ?? 1
  const length = options.declaredLength ?? payload.length
  const mask = options.mask ?? true
  const first = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode
  let header: Buffer
  if (length < 126) {
    header = Buffer.from([first, (mask ? 0x80 : 0) | length])
  } else if (length < 65536) {
    header = Buffer.alloc(4)
    header[0] = first
    header[1] = (mask ? 0x80 : 0) | 126
    header.writeUInt16BE(length, 2)
  } else {
    header = Buffer.alloc(10)
    header[0] = first
    header[1] = (mask ? 0x80 : 0) | 127
    header.writeBigUInt64BE(BigInt(length), 2)
  }
  if (!mask) return Buffer.concat([header, payload])
  const key = randomBytes(4)
  const body = Buffer.from(payload.map((b, i) => b ^ (key[i % 4] as number)))
  return Buffer.concat([header, key, body])
}
