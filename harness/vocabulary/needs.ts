import type { Capacity } from './capacity';

/**
 * What a case needs from its target beyond the service itself; without it the case is skipped,
 * "needs " and this as the reason. Each says how to declare it wherever the user runs sockspec:
 * on the command line, in sockspec.config.json (their own jest), in a targets file.
 */
export const NEEDS = {
  sni: 'a second server name with its own certificate (--alt-servername on the command line, tls.altServername in sockspec.config.json, altServername in a targets file)',
  alpn: 'the ALPN protocols the server supports (--alpn on the command line, tls.alpn in sockspec.config.json, alpn in a targets file)',
  restart: 'a target sockspec starts and stops itself (builtin, a command or an image: --cmd, --image or --target container on the command line, cmd or image in sockspec.config.json or a targets file)',
  'host-network':
    "a server started in this host's network namespace (builtin, or a command: --cmd, or cmd in sockspec.config.json or a targets file); each container start has a namespace of its own, which a port held here, TIME_WAIT and a second instance do not reach",
  'idle-timeout': 'the idle timeout the server declares (--idle-timeout on the command line, idleTimeoutMs in sockspec.config.json, idleTimeout in a targets file)',
  'client-timeout': 'the timeout the client declares (--client-timeout on the command line, clientTimeoutMs in sockspec.config.json, clientTimeout in a targets file)',
  'capacity-connections': capacity('connections', 'the concurrent connections the server holds', 'connections=5000'),
  'capacity-rate': capacity('connectionsPerSecond', 'the connections per second the server serves', 'rate=2000'),
  'capacity-throughput': capacity('bytesPerSecond', 'the bytes per second the server echoes on one connection', 'throughput=100MiB'),
  'capacity-latency': capacity('p99Ms', "the server's 99th percentile round trip at the suite's offered load", 'p99=20ms'),
  'capacity-fanout': capacity('fanoutP99Ms', "the chat server's 99th percentile delivery of a message to each member at the suite's room and rate", 'fanout-p99=200ms'),
} as const;
export type Need = keyof typeof NEEDS;

/** The capacity needs: what each asks the target to declare. */
export const CAPACITY_NEEDS = {
  'capacity-connections': 'connections',
  'capacity-rate': 'connectionsPerSecond',
  'capacity-throughput': 'bytesPerSecond',
  'capacity-latency': 'p99Ms',
  'capacity-fanout': 'fanoutP99Ms',
} as const satisfies Partial<Record<Need, keyof Capacity>>;

function capacity(field: keyof Capacity, what: string, example: string): string {
  return `${what} (--declare-capacity ${example} on the command line, capacity.${field} in sockspec.config.json, declareCapacity: ${example} in a targets file)`;
}
