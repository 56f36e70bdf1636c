import type { Case } from '../suite/schema';
import { NEEDS, type Need } from '../vocabulary/needs';
import type { Launcher } from '../targets/launcher';
import type { Endpoint } from '../targets/target';

/** Why a case cannot run against this target, or undefined when it can. */
export function unmetNeed(c: Case, endpoint: Endpoint | undefined, launcher: Launcher | undefined): string | undefined {
  const missing = (c.needs ?? []).find((need) => !met(need, endpoint, launcher));
  return missing ? `needs ${NEEDS[missing]}` : undefined;
}

function met(need: Need, endpoint: Endpoint | undefined, launcher: Launcher | undefined): boolean {
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
      // Never a skip: a run whose client suite needs it and lacks it stops first (run/peer-fit.ts).
      return true;
  }
}
