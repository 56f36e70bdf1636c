import { TCP_STATE, procSockets } from '../targets/proc-sockets';
import { Type } from '@sinclair/typebox';
import { StepFailure } from '../verdict/failure';
import { CheckedRule, defineStep } from './define';
import { currentPort } from './support/lifecycle-support';

export const expectTimeWait = defineStep({
  name: 'expect-time-wait',
  summary:
    "Checks that sockets on the server's port are in TIME_WAIT (read from /proc/net/tcp): proof that " +
    'the server closed first, so that a restart on that port really exercises SO_REUSEADDR.',
  schema: Type.Object({ ...CheckedRule }, { additionalProperties: false }),
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
  return procSockets('tcp')?.filter((socket) => socket.port === port && socket.state === TCP_STATE.timeWait).length;
}
