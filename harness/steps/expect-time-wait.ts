import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { StepFailure } from '../verdict/failure';
import { defineStep } from './define';
import { currentPort } from './lifecycle-support';

const TIME_WAIT = '06';

export const expectTimeWait = defineStep({
  name: 'expect-time-wait',
  summary:
    "Checks that sockets on the server's port are in TIME_WAIT (read from /proc/net/tcp): proof that " +
    'the server closed first, so that a restart on that port really exercises SO_REUSEADDR.',
  schema: Type.Null(),
  describe: () => 'expect TIME_WAIT on the server port',
  async run(_p, ctx) {
    const port = currentPort(ctx.run);
    const count = timeWaitSockets(port);
    if (count === undefined) throw new StepFailure('cannot read /proc/net/tcp: TIME_WAIT cannot be checked on this system');
    if (count === 0) throw new StepFailure(`no socket on port ${port} is in TIME_WAIT: the server did not close its connections first`);
    ctx.run.transcript.record('sockspec', 'note', `${count} socket(s) on port ${port} in TIME_WAIT`);
  },
});

/** Sockets whose local port is `port` and whose state is TIME_WAIT, over IPv4 and IPv6. */
function timeWaitSockets(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      if (file === '/proc/net/tcp') return undefined;
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === TIME_WAIT) count++;
    }
  }
  return count;
}
