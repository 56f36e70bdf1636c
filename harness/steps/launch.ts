import { Type } from '@sinclair/typebox';
import { freePort } from '../targets/free-port';
import { SERVICE_TRANSPORT } from '../targets/target';
import { DescribedDuration } from '../vocabulary/units';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { CheckedRule, defineStep } from './define';
import { stepTimeoutMs } from './context';
import { DEFAULT_SERVER, RELEASE_STOP_MS, currentPort, launcherOf, lifecycleOf } from './support/lifecycle-support';
import { holdUntilCaseEnds } from './support/case-state';

const ServerName = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]*$', description: 'names the instance for stop-server; default "server"' });

export const launch = defineStep({
  name: 'launch',
  summary:
    "Starts an instance of the target's server on a port: a free one, the same one as the last " +
    'instance (a restart), or the one sockspec holds. With expect: listening (the default) it must ' +
    "listen within the time, and the case's connections go to it; with expect: failure it must exit " +
    '(non-zero) within the time instead, without listening anywhere else.',
  schema: Type.Object(
    {
      ...CheckedRule,
      as: Type.Optional(ServerName),
      port: Type.Optional(Type.Union([Type.Literal('free'), Type.Literal('same'), Type.Literal('held')])),
      expect: Type.Optional(Type.Union([Type.Literal('listening'), Type.Literal('failure')])),
      within: Type.Optional(DescribedDuration('how long the server has to listen, or to fail (default 5s; patience, scaled by --time-scale)')),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `launch ${p.as ?? DEFAULT_SERVER} on the ${p.port ?? 'free'} port, expecting ${p.expect ?? 'listening'}`,
  needs: () => ['restart'],
  async run(p, ctx) {
    const run = ctx.run;
    const launcher = launcherOf(run);
    const name = p.as ?? DEFAULT_SERVER;
    const lifecycle = lifecycleOf(run);
    if (lifecycle.instances.get(name)?.running) throw new SuiteUsageError(`server "${name}" is already running`);
    const port = await portFor(p.port ?? 'free', run);
    const within = stepTimeoutMs(ctx, p.within ?? '5s');
    run.transcript.record(name, 'note', `launch on port ${port} (${launcher.description})`);
    const expectation = p.expect ?? 'listening';
    const launching = launcher.launch(run.service, port, Date.now() + within, expectation);
    const outcome = await holdUntilCaseEnds(ctx, launching, (started) => started.instance.stop(RELEASE_STOP_MS));
    lifecycle.instances.set(name, outcome.instance);
    const output = outcome.instance.output().slice(-8).map((line) => `| ${line}`);
    if (expectation === 'listening') {
      if (!outcome.ready) throw new StepFailure(`expected the server to listen on port ${port} within ${within} ms: ${outcome.why}`, output);
      lifecycle.lastPort = port;
      const previous = run.endpoints[run.service];
      const at = outcome.endpoint ?? { host: '127.0.0.1', port };
      // What the target declared (TLS settings, an idle timeout) holds for every instance of it.
      run.endpoints[run.service] = { ...previous, host: at.host, port: at.port, transport: SERVICE_TRANSPORT[run.service] };
      const probes = outcome.attempts ? ` after ${outcome.attempts} connection attempt(s) (exponential backoff with jitter)` : '';
      run.transcript.record(name, 'note', `listening on ${at.host}:${at.port}${probes}`);
      if (outcome.attempts) run.notes.push(`${name}: listening after ${outcome.attempts} connection attempt(s)`);
      return;
    }
    if (outcome.ready) {
      const ports = outcome.instance.listeningPorts();
      const where = ports.length ? `it listens on port ${ports.join(', ')}` : 'it listens on no port';
      throw new StepFailure(`expected the server to fail to start on port ${port}, which is taken; it is still running after ${within} ms and ${where}`, output);
    }
    const exit = outcome.instance.exitDescription ?? 'exited';
    if (exit === 'code 0') throw new StepFailure(`the server exited with code 0 when it could not bind port ${port}; failure should be a non-zero exit`, output);
    run.transcript.record(name, 'note', `failed to start as expected: ${exit}`);
  },
});

async function portFor(choice: 'free' | 'same' | 'held', run: Parameters<typeof currentPort>[0]): Promise<number> {
  if (choice === 'same') return currentPort(run);
  if (choice === 'held') {
    const held = lifecycleOf(run).heldPort;
    if (held === undefined) throw new SuiteUsageError('no port is held: a hold-port step must come first');
    return held;
  }
  return freePort(SERVICE_TRANSPORT[run.service]);
}
