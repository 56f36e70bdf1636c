import { runCase, type CaseOutcome } from '../../harness/run/run-case';
import type { Step } from '../../harness/steps/registry';
import type { Suite } from '../../harness/suite/schema';
import type { ServiceName } from '../../harness/targets/target';

/**
 * Runs one case made of `steps` against a TCP server on 127.0.0.1:`port`, for tests of single
 * steps. Steps as the loader leaves them: shorthands such as `connect: a` already expanded.
 */
export function runSteps(service: ServiceName, port: number, steps: unknown[]): Promise<CaseOutcome> {
  const suite: Suite = { file: '<test>', suite: 'steps', title: 't', service, cases: [] };
  const c = { id: 'c', title: 't', requirement: 'r', ref: 'test', steps: steps as Step[] };
  return runCase(suite, c, { [service]: { host: '127.0.0.1', port, transport: 'tcp' } }, { stepTimeout: 300 });
}
