import type net from 'node:net';
import { type HelloReply, readHelloReply } from './server-hello';

/** Enough of a reply to read its first record up to the ServerHello's cipher suite (or an alert). */
const HEAD_LIMIT = 1024;

/**
 * What a server sent back on a TLS connection before the handshake ended, and whether it ended
 * the connection itself: the evidence that tells a refusal by a TLS server from plaintext, an
 * echo of the ClientHello, or a server that hangs up on everyone. Keeps at most 1 KiB.
 */
export class ServerAnswer {
  private head = Buffer.alloc(0);
  /** How the server ended the connection (FIN or reset), if it did. */
  ended: 'fin' | 'rst' | undefined;
  /** The server sent an alert record at some point of the handshake. */
  alerted = false;

  constructor(socket: net.Socket) {
    const keep = (chunk: Buffer) => {
      this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_LIMIT - this.head.length)]);
      if (this.head.length === HEAD_LIMIT) socket.off('data', keep);
    };
    socket.on('data', keep);
    socket.once('end', () => (this.ended ??= 'fin'));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') this.ended ??= 'rst';
    });
  }

  /** The server's first record, classified; undefined when it sent nothing, or too little to tell. */
  get first(): HelloReply | undefined {
    return readHelloReply(this.head);
  }
}
