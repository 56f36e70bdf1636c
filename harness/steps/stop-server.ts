import { Type } from '@sinclair/typebox';
import { DescribedDuration } from '../vocabulary/units';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { CheckedRule, defineStep } from './define';
import { stepTimeoutMs } from './context';
import { DEFAULT_SERVER, lifecycleOf } from './support/lifecycle-support';

export const stopServer = defineStep({
  name: 'stop-server',
  summary:
    'Asks a server instance to stop (SIGTERM for a process) and expects it to exit within the time; ' +
    'if it does not, it is killed and the step fails. Connections it had are checked by later steps ' +
    '(expect-close with accept: [fin] for a graceful close).',
  schema: Type.Object(
    { ...CheckedRule, as: Type.Optional(Type.String({ description: 'the instance; default "server"' })), within: Type.Optional(DescribedDuration('how long the server has to exit (default 3s; patience, scaled by --time-scale)')) },
    { additionalProperties: false },
  ),
  describe: (p) => `stop ${p.as ?? DEFAULT_SERVER}`,
  needs: () => ['restart'],
  async run(p, ctx) {
    const name = p.as ?? DEFAULT_SERVER;
    const instance = lifecycleOf(ctx.run).instances.get(name);
    if (!instance) throw new SuiteUsageError(`no server named "${name}" was launched in this case`);
    const within = stepTimeoutMs(ctx, p.within ?? '3s');
    const report = await instance.stop(within);
    ctx.run.transcript.record(name, 'note', `stopped: ${report.exit} after ${report.ms} ms`);
    if (!report.graceful) throw new StepFailure(`the server did not exit within ${within} ms of being asked to stop; it was killed`, instance.output().slice(-8).map((l) => `| ${l}`));
  },
});
