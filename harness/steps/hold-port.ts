import net from 'node:net';
import { Type } from '@sinclair/typebox';
import { SuiteUsageError } from '../verdict/failure';
import { defineStep } from './define';
import { registerWhenStarted } from './lifecycle-support';

export const holdPort = defineStep({
  name: 'hold-port',
  summary: 'sockspec listens on a free loopback port itself, until the case ends, so a server can be started on a port that is taken.',
  schema: Type.Null(),
  describe: () => 'hold a port',
  async run(_p, ctx) {
    if (ctx.run.lifecycle.held) throw new SuiteUsageError('a port is already held in this case');
    const server = net.createServer((socket) => socket.destroy());
    const listening = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    }).then(() => ({ port: (server.address() as net.AddressInfo).port, release: () => new Promise<void>((done) => server.close(() => done())) }));
    const { port } = await registerWhenStarted(ctx.run, listening, (held) => (ctx.run.lifecycle.held = held));
    ctx.run.transcript.record('sockspec', 'note', `holding port ${port}`);
  },
});
