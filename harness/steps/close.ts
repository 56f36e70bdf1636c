import { TcpConnection } from '../net/tcp-connection';
import { DEFAULT_CONN } from '../run/scope';
import { ConnOnly, defineStep } from './define';

export const halfClose = defineStep({
  name: 'half-close',
  summary: 'Shuts down the write side after every queued send is written: the peer reads end of stream (FIN); reading goes on.',
  shorthand: 'conn',
  schema: ConnOnly,
  describe: (p) => `half-close ${p.conn ?? DEFAULT_CONN}`,
  run: (p, ctx) => ctx.scope.tcp(p.conn).halfClose(),
});

export const close = defineStep({
  name: 'close',
  summary: 'Closes the connection after every queued send is written (FIN, or RST if unread data is pending in the kernel).',
  shorthand: 'conn',
  schema: ConnOnly,
  describe: (p) => `close ${p.conn ?? DEFAULT_CONN}`,
  async run(p, ctx) {
    const conn = ctx.scope.get(p.conn);
    if (conn instanceof TcpConnection) await conn.close();
    else {
      await conn.flushed();
      conn.close();
    }
    ctx.scope.remove(p.conn ?? DEFAULT_CONN);
  },
});

export const stopReading = defineStep({
  name: 'stop-reading',
  summary: 'Stops reading from the connection for the rest of the case, as a client that never reads: what the server sends backs up.',
  shorthand: 'conn',
  schema: ConnOnly,
  describe: (p) => `stop reading ${p.conn ?? DEFAULT_CONN}`,
  async run(p, ctx) {
    ctx.scope.tcp(p.conn).stopReading();
  },
});

export const reset = defineStep({
  name: 'reset',
  summary: 'Aborts the connection at once: the kernel sends RST and queued data is discarded.',
  shorthand: 'conn',
  schema: ConnOnly,
  describe: (p) => `reset ${p.conn ?? DEFAULT_CONN}`,
  async run(p, ctx) {
    ctx.scope.tcp(p.conn).reset();
    ctx.scope.remove(p.conn ?? DEFAULT_CONN);
  },
});
