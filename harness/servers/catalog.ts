import type { ServiceName } from '../targets/target';
import type { ListenOptions, RunningServer } from './running-server';
import { startEchoTcp } from './echo-tcp';
import { startEchoUdp } from './echo-udp';

export interface ReferenceServer {
  description: string;
  start(options: ListenOptions): Promise<RunningServer>;
}

/** The reference server behind each service name: used by the builtin target and `sockspec serve`. */
export const REFERENCE_SERVERS: Record<ServiceName, ReferenceServer> = {
  'echo-tcp': { description: 'TCP Echo (RFC 862)', start: startEchoTcp },
  'echo-udp': { description: 'UDP Echo (RFC 862)', start: startEchoUdp },
};
