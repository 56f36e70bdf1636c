import type net from 'node:net';
import type { Inlet } from './inlet';
import type { Chunk } from './toxic';

/**
 * The last hop of a direction: writes to the socket on the far side. The socket's own write buffer
 * is the bound (write() turns false past its high-water mark); once the socket is gone, writes are
 * dropped and waits end, so stages still running wind down instead of hanging.
 */
export class SocketSink implements Inlet {
  constructor(
    private readonly socket: net.Socket,
    private readonly delivered: (bytes: number) => void,
  ) {}

  get buffered(): number {
    return this.socket.destroyed ? 0 : this.socket.writableLength;
  }

  write(chunk: Chunk): boolean {
    if (!this.open) return true;
    this.delivered(chunk.data.length);
    return this.socket.write(chunk.data);
  }

  end(): void {
    if (this.open) this.socket.end();
  }

  ready(): Promise<void> {
    if (!this.open || !this.socket.writableNeedDrain) return Promise.resolve();
    return this.settled('drain');
  }

  /** Resolves once the FIN has been handed to the kernel after every byte (or the socket is gone). */
  finished(): Promise<void> {
    if (this.socket.destroyed || this.socket.writableFinished) return Promise.resolve();
    return this.settled('finish');
  }

  private get open(): boolean {
    return !this.socket.destroyed && !this.socket.writableEnded;
  }

  private settled(event: 'drain' | 'finish'): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off(event, done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on(event, done);
      this.socket.on('close', done);
    });
  }
}
