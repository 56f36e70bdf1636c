import type { Case } from '../suite/schema';
import { NEEDS, type Need } from '../vocabulary/needs';
import type { Launcher } from '../targets/launcher';
import type { Endpoint } from '../targets/target';
import type { ClientCommand } from '../targets/client-command';

/** Why a case cannot run against this target (a server's endpoint, or a client), or undefined when it can. */
export function unmetNeed(c: Case, endpoint: Endpoint | undefined, launcher: Launcher | undefined, client?: ClientCommand): string | undefined {
  const missing = (c.needs ?? []).find((need) => !met(need, endpoint, launcher, client));
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
  }
}
