import net from 'node:net';
import { Type } from '@sinclair/typebox';
import { SuiteUsageError } from '../verdict/failure';
import { defineStep } from './define';

export const holdPort = defineStep({
  name: 'hold-port',
  summary: 'sockspec listens on a free loopback port itself, until the case ends, so a server can be started on a port that is taken.',
  schema: Type.Null(),
  describe: () => 'hold a port',
  async run(_p, ctx) {
    if (ctx.run.lifecycle.held) throw new SuiteUsageError('a port is already held in this case');
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const { port } = server.address() as net.AddressInfo;
    ctx.run.lifecycle.held = { port, release: () => new Promise<void>((done) => server.close(() => done())) };
    ctx.run.transcript.record('sockspec', 'note', `holding port ${port}`);
  },
});
