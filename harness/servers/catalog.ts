import type { ServiceName, TlsEndpoint } from '../targets/target';
import type { ListenOptions, RunningServer } from './running-server';
import { startEchoTcp } from './echo-tcp';
import { startEchoUdp } from './echo-udp';
import { startChat } from './chat';
import { DEFAULT_ALPN, startTlsEcho } from './tls-echo';
import { cachedCertificateSet } from '../certs/cache';
import { ALT_SERVER_NAME, SERVER_NAME } from '../certs/certificate-set';

export interface ReferenceStartOptions extends ListenOptions {
  /** Keep idle connections open (the echo inside a network namespace, whose cases stall longer). */
  noIdleTimeout?: boolean;
}

export interface ReferenceServer {
  description: string;
  start(options: ReferenceStartOptions): Promise<RunningServer>;
  /** For TLS services: what the reference server declares (its CA is the run's own). */
  tls?: TlsEndpoint;
  /** The idle timeout it declares and keeps, in ms. */
  idleTimeoutMs?: number;
}

/**
 * The reference echo closes connections idle for 2 s: longer than any pause in the echo-tcp,
 * timeouts and lifecycle cases (the longest deliberate one is 0.5 s; the first of many-open-clients'
 * 100 clients may idle 1.5 s on a loaded machine), short enough that the idle cases of the timeouts
 * suite take 2 to 2.5 s (docs/lifecycle.md). The network suite's stalls are longer (a blackhole,
 * then retransmission timeouts that double), so the echo in a network namespace runs with none
 * (serve-main --no-idle-timeout).
 */
export const REFERENCE_IDLE_TIMEOUT_MS = 2000;

const REFERENCE_TLS: TlsEndpoint = { servername: SERVER_NAME, altServername: ALT_SERVER_NAME, alpn: [...DEFAULT_ALPN] };

/** The reference server behind each service name: used by the builtin target and `sockspec serve`. */
export const REFERENCE_SERVERS: Record<ServiceName, ReferenceServer> = {
  'echo-tcp': {
    description: 'TCP Echo (RFC 862), closing connections idle for 2 s',
    start: ({ noIdleTimeout, ...options }) => startEchoTcp({ ...options, idleTimeoutMs: noIdleTimeout ? undefined : REFERENCE_IDLE_TIMEOUT_MS }),
    idleTimeoutMs: REFERENCE_IDLE_TIMEOUT_MS,
  },
  'echo-udp': { description: 'UDP Echo (RFC 862)', start: startEchoUdp },
  'tls-echo': {
    description: 'TLS echo (TLS 1.2 and 1.3, SNI, ALPN)',
    start: async (options) => startTlsEcho({ ...options, certs: await cachedCertificateSet() }),
    tls: REFERENCE_TLS,
  },
  'tls-echo-mtls': {
    description: 'TLS echo requiring a client certificate from the run\'s CA',
    start: async (options) => startTlsEcho({ ...options, certs: await cachedCertificateSet(), requireClientCert: true }),
    tls: REFERENCE_TLS,
  },
  chat: { description: 'chat server (docs/chat-protocol.md)', start: startChat },
};
