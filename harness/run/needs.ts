import type { Case } from '../suite/schema';
import { CAPACITY_NEEDS, NEEDS, type Need } from '../vocabulary/needs';
import type { Launcher } from '../targets/launcher';
import type { Endpoint } from '../targets/target';
import type { ClientCommand } from '../targets/client-command';

/** Why a case cannot run against this target (a server's endpoint, or a client), or undefined when it can. */
export function unmetNeed(c: Case, endpoint: Endpoint | undefined, launcher: Launcher | undefined, client?: ClientCommand): string | undefined {
  const missing = (c.needs ?? []).find((need) => !met(need, endpoint, launcher, client));
  return missing ? `needs ${NEEDS[missing]}` : undefined;
}

/**
 * For a target that declares everything else itself (the builtin reference servers): why a case is
 * skipped for a capacity it was not told, or undefined.
 */
export function undeclaredCapacity(c: Case, endpoint: Endpoint | undefined): string | undefined {
  const missing = (c.needs ?? []).find((need) => need in CAPACITY_NEEDS && !met(need, endpoint, undefined, undefined));
  return missing ? `needs ${NEEDS[missing]}` : undefined;
}

function met(need: Need, endpoint: Endpoint | undefined, launcher: Launcher | undefined, client: ClientCommand | undefined): boolean {
  switch (need) {
    case 'sni':
      return endpoint?.tls?.altServername !== undefined;
    case 'alpn':
      return (endpoint?.tls?.alpn?.length ?? 0) > 0;
    case 'restart':
      return launcher !== undefined;
    case 'host-network':
      return launcher?.sharesHostNetwork === true;
    case 'idle-timeout':
      return endpoint?.idleTimeoutMs !== undefined;
    case 'client-timeout':
      return client?.timeoutMs !== undefined;
    case 'capacity-connections':
    case 'capacity-rate':
    case 'capacity-throughput':
    case 'capacity-latency':
    case 'capacity-fanout':
      return endpoint?.capacity?.[CAPACITY_NEEDS[need]] !== undefined;
  }
}
