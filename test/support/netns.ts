import { execFileSync } from 'node:child_process';
import { missingCapability } from '../../harness/netns/capabilities';
import { networkSkip } from '../../harness/run/network-needs';
import { HOST_LINK, NAMESPACE } from '../../harness/netns/namespace';
import { NamespaceTarget } from '../../harness/netns/netns-target';
import type { MovableServer } from '../../harness/targets/define';
import { runCase, type CaseOutcome } from '../../harness/run/run-case';
import type { Suite } from '../../harness/suite/schema';

/**
 * `describe` for tests that need network namespaces (root, ip, nft, tc). Without them they are
 * skipped on a developer's machine, with the reason, and fail in CI (CI=true), where .ci/run runs
 * as root with iproute2 and nftables installed.
 */
export function describeWithNetns(name: string, body: () => void): void {
  const missing = missingCapability('netns') ?? missingCapability('nftables') ?? missingCapability('tbf');
  if (!missing) return describe(name, body);
  if (process.env.CI === 'true') {
    describe(name, () => test('can create network namespaces', () => {
      throw new Error(`${missing}: required in CI`);
    }));
  } else {
    describe.skip(`${name} [skipped: ${missing}]`, body);
  }
}

/** Every case the machine can run, each against a fresh server in a fresh namespace; skipped cases are left out. */
export async function runEachInNamespace(suite: Suite, server: MovableServer): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  for (const c of suite.cases) {
    if (networkSkip(c, true)) continue;
    const target = new NamespaceTarget(server);
    try {
      const endpoints = await target.start([suite.service]);
      outcomes.push(await runCase(suite, c, endpoints, { network: target.conditions }));
    } finally {
      await target.stop();
    }
  }
  return outcomes;
}

/** Namespaces and host links named like sockspec's, of one owner process or of any. */
export function leftovers(owner?: number): string[] {
  const mine = (match: RegExpExecArray | null) => match !== null && (owner === undefined || Number(match[1]) === owner);
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((line) => line.split(' ')[0]);
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').map((line) => line.split(':')[1]?.trim().split('@')[0] ?? '');
  return [...namespaces.filter((n) => mine(NAMESPACE.exec(n))), ...links.filter((l) => mine(HOST_LINK.exec(l)))];
}

/** The host's nftables tables: sockspec's live inside its namespaces, so this must not change. */
export function hostNftTables(): string {
  return execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });
}
