import net from 'node:net';
import { Type } from '@sinclair/typebox';
import { SuiteUsageError } from '../verdict/failure';
import { defineStep } from './define';
import { lifecycleOf } from './support/lifecycle-support';
import { holdUntilCaseEnds } from './support/case-state';

export const holdPort = defineStep({
  name: 'hold-port',
  summary: 'sockspec listens on a free loopback port itself, until the case ends, so a server can be started on a port that is taken.',
  schema: Type.Null(),
  describe: () => 'hold a port',
  async run(_p, ctx) {
    const lifecycle = lifecycleOf(ctx.run);
    if (lifecycle.heldPort !== undefined) throw new SuiteUsageError('a port is already held in this case');
    const server = net.createServer((socket) => socket.destroy());
    const listening = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    }).then(() => (server.address() as net.AddressInfo).port);
    const port = await holdUntilCaseEnds(ctx, listening, () => new Promise<void>((done) => server.close(() => done())));
    lifecycle.heldPort = port;
    ctx.run.transcript.record('sockspec', 'note', `holding port ${port}`);
  },
});
