import { startFaultProxy, type FaultProxy, type ProxiedConnection } from '../../faults/proxy';
import type { CaseRun, StepContext } from '../context';
import { SuiteUsageError } from '../../verdict/failure';
import { caseState, holdUntilCaseEnds } from './case-state';

/** The fault proxy a case's faults steps put in front of its service, once started. */
const proxyOf = caseState<{ proxy?: FaultProxy }>(() => ({}));

/**
 * The case's fault proxy: the first faults step puts it in front of the service, for the
 * connections made after it, and the case closes it when it ends.
 */
export async function caseProxy(ctx: StepContext, seed: string | undefined): Promise<FaultProxy> {
  const run = ctx.run;
  const state = proxyOf(run);
  if (state.proxy) return state.proxy;
  const upstream = run.endpoints[run.service];
  if (!upstream || upstream.transport !== 'tcp') throw new SuiteUsageError('faults work on TCP services');
  const proxy = await holdUntilCaseEnds(ctx, startFaultProxy(upstream, { seed: seed ?? run.seed }), (started) => started.close());
  state.proxy = proxy;
  run.endpoints[run.service] = { ...upstream, host: proxy.host, port: proxy.port };
  // The seed its decisions come from, for a replay.
  run.transcript.record('sockspec', 'note', `fault proxy on port ${proxy.port} in front of ${upstream.host}:${upstream.port}, seed ${JSON.stringify(proxy.seed)}`);
  return proxy;
}

/** The fault proxy's record of a case's TCP connection; a usage error when it went direct. */
export function proxiedConnection(ctx: StepContext, name: string | undefined) {
  const conn = ctx.scope.tcp(name);
  const proxy = runningProxy(ctx.run);
  const proxied: ProxiedConnection | undefined = conn.localPort === undefined ? undefined : proxy.connectionFrom(conn.localPort);
  if (!proxied) throw new SuiteUsageError(`connection "${name ?? 'main'}" does not go through the fault proxy: connect it after the faults step`);
  return { conn, proxied };
}

function runningProxy(run: CaseRun): FaultProxy {
  const proxy = proxyOf(run).proxy;
  if (!proxy) throw new SuiteUsageError('this step needs the fault proxy: put a faults step before the connect');
  return proxy;
}
