import { onPath } from '../capture/tools';
import type { Case } from '../suite/schema';
import { stepKind } from '../steps/registry';
import { network, toConditions, type NetworkParamsSpec } from '../steps/network';
import { startClientStep } from '../steps/start-client';
import { firstMissing, type Capability } from '../netns/capabilities';
import { requiredCapabilities } from '../netns/conditions';

/** The parameters of every `network` step of a case, nested ones included. */
function networkSteps(steps: readonly unknown[]): NetworkParamsSpec[] {
  return steps.flatMap((step) => {
    const [name, params] = Object.entries(step as Record<string, unknown>)[0] ?? [];
    if (name === network.name) return [params as NetworkParamsSpec];
    const nested = stepKind(name ?? '')?.nested?.(params) ?? [];
    return nested.flatMap((list) => networkSteps(list.steps));
  });
}

/** Whether the case runs against the server in a network namespace: it has a network step. */
export function usesNetwork(c: Case): boolean {
  return networkSteps(c.steps).length > 0;
}

/**
 * Why a network case cannot run here, or undefined when it can: the target cannot be moved into a
 * namespace (an address, a container), or the machine lacks what its conditions need.
 */
export function networkSkip(c: Case, placeable: boolean): string | undefined {
  const steps = networkSteps(c.steps);
  if (steps.length === 0) return undefined;
  if (!placeable) return 'needs a target sockspec starts itself inside a network namespace (builtin or --cmd)';
  const needed = new Set<Capability>(steps.flatMap(capabilitiesOf));
  const missing = firstMissing(needed);
  return missing ? `needs ${missing}` : undefined;
}

/** A malformed step needs nothing here: it runs, and fails with the usage error. */
function capabilitiesOf(p: NetworkParamsSpec): Capability[] {
  try {
    return requiredCapabilities(toConditions(p));
  } catch {
    return [];
  }
}

/**
 * Why a client case whose connect must time out cannot run here (its start-client drops the
 * client's SYNs inside a network namespace: root and nftables), or undefined when it can.
 */
export function synDropSkip(c: Case): string | undefined {
  const drops = c.steps.some((step) => (step as Record<string, { dropSyns?: boolean } | null>)[startClientStep.name]?.dropSyns === true);
  if (!drops) return undefined;
  const missing = firstMissing(['nftables']);
  return missing ? `needs ${missing}` : undefined;
}

/**
 * Why a client case whose attempts are recorded cannot run here (its start-client refuses
 * attempts, which tcpdump records on loopback: root and tcpdump; or drops them, in a network
 * namespace: nftables too), or undefined when it can.
 */
export function attemptCaptureSkip(c: Case): string | undefined {
  const starts = c.steps.map((step) => (step as Record<string, { refuse?: number; refuseFor?: unknown; drop?: number; dropFor?: unknown } | null>)[startClientStep.name]);
  const refuses = starts.some((params) => params?.refuse !== undefined || params?.refuseFor !== undefined);
  const drops = starts.some((params) => params?.drop !== undefined || params?.dropFor !== undefined);
  if (!refuses && !drops) return undefined;
  if (process.getuid?.() !== 0) return `needs root to record connection attempts with tcpdump (running as uid ${process.getuid?.()})`;
  if (!onPath('tcpdump')) return 'needs tcpdump to record connection attempts (apt-get install tcpdump)';
  const missing = drops ? firstMissing(['nftables']) : undefined;
  return missing ? `needs ${missing}` : undefined;
}
