import { TcpConnection } from '../net/tcp-connection';
import type { StepContext } from './context';
import { DEFAULT_CONN } from './support/scope';
import { ConnOnly, defineStep } from './define';

/** A step whose only parameter is the connection it acts on (`- close: b`, `- close:`). */
function connectionStep<N extends string>(name: N, summary: string, act: (conn: string, ctx: StepContext) => Promise<void>) {
  return defineStep({
    name,
    summary,
    shorthand: 'conn',
    schema: ConnOnly,
    describe: (p) => `${name} ${p.conn ?? DEFAULT_CONN}`,
    run: (p, ctx) => act(p.conn ?? DEFAULT_CONN, ctx),
  });
}

export const halfClose = connectionStep(
  'half-close',
  'Shuts down the write side after every queued send is written: the peer reads end of stream (FIN); reading goes on.',
  (conn, ctx) => ctx.scope.tcp(conn).halfClose(),
);

export const close = connectionStep(
  'close',
  'Closes the connection after every queued send is written (FIN, or RST if unread data is pending in the kernel).',
  async (name, ctx) => {
    const conn = ctx.scope.get(name);
    if (conn instanceof TcpConnection) await conn.close();
    else {
      await conn.flushed();
      conn.close();
    }
    ctx.scope.remove(name);
  },
);

export const stopReading = connectionStep(
  'stop-reading',
  'Stops reading from the connection, as a client that does not read: what the server sends backs up. Until resume-reading, or for the rest of the case.',
  async (conn, ctx) => ctx.scope.tcp(conn).stopReading(),
);

export const resumeReading = connectionStep(
  'resume-reading',
  'Reads from the connection again after stop-reading, as a client back from a pause: what backed up may flow again.',
  async (conn, ctx) => ctx.scope.tcp(conn).resumeReading(),
);

export const reset = connectionStep('reset', 'Aborts the connection at once: the kernel sends RST and queued data is discarded.', async (conn, ctx) => {
  ctx.scope.tcp(conn).reset();
  ctx.scope.remove(conn);
});
