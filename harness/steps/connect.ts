import { Type } from '@sinclair/typebox';
import { TcpConnection } from '../net/tcp-connection';
import { TlsHandshakeError, connectTls } from '../net/tls-connect';
import { UdpConnection } from '../net/udp-connection';
import { deadlineFor, endpointFor, stepTimeoutMs } from './context';
import { DEFAULT_CONN } from './support/scope';
import { StepFailure } from '../verdict/failure';
import { DescribedDuration } from '../vocabulary/units';
import { retryWithBackoff } from '../targets/readiness';
import type { StepContext } from './context';
import { ConnName, StepTimeout, defineStep } from './define';
import { SERVICE_NAMES, TLS_SERVICES, type Endpoint, type ServiceName } from '../targets/target';
import { TlsOptions, checkTlsOptions, clientOptions, tlsNeeds, type TlsOptionsSpec } from './support/tls-options';
import type { Transcript } from '../net/transcript';

export const ServiceField = Type.Union(SERVICE_NAMES.map((s) => Type.Literal(s)), { description: "defaults to the suite's service" });

/** TLS settings for a connection: the service's default unless the step says `tls: false` or gives options. */
export const TlsField = Type.Union([Type.Boolean(), TlsOptions], {
  description: 'true or options: handshake TLS (the default for TLS services); false: plain TCP',
});

export const connect = defineStep({
  name: 'connect',
  summary:
    "Opens a named connection to the suite's service: TCP (with a TLS handshake for TLS services, " +
    'verified against the CA unless told otherwise), or a UDP socket aimed at it.',
  shorthand: 'conn',
  schema: Type.Object(
    {
      conn: Type.Optional(ConnName),
      service: Type.Optional(ServiceField),
      tls: Type.Optional(TlsField),
      timeout: Type.Optional(StepTimeout),
      retry: Type.Optional(
        DescribedDuration('TCP: retry failed attempts (each limited by timeout) with exponential backoff and jitter for this long; the attempts are noted'),
      ),
    },
    { additionalProperties: false },
  ),
  cost: () => ({ connections: 1 }),
  opens: (p) => ({ conn: p.conn ?? DEFAULT_CONN, service: p.service }),
  check: (p, _where, report) => typeof p.tls === 'object' && checkTlsOptions(p.tls, report),
  needs: (p) => tlsNeeds(typeof p.tls === 'object' ? p.tls : undefined),
  describe: (p) => `connect ${p.conn ?? DEFAULT_CONN}${p.service ? ` to ${p.service}` : ''}${p.tls === false ? ' (plain TCP)' : ''}`,
  async run(p, ctx) {
    const name = p.conn ?? DEFAULT_CONN;
    ctx.scope.reserve(name);
    const endpoint = endpointFor(ctx.run, p.service);
    const label = ctx.scope.label(name);
    if (endpoint.transport === 'udp') {
      ctx.scope.add(name, await UdpConnection.open(label, endpoint, ctx.run.transcript));
      return;
    }
    const deadline = deadlineFor(ctx, p.timeout);
    const tls = tlsFor(p.tls, p.service ?? ctx.run.service);
    if (p.retry !== undefined) {
      const attemptMs = stepTimeoutMs(ctx, p.timeout);
      ctx.scope.add(name, await openWithRetries(ctx, name, endpoint, tls, attemptMs, deadlineFor(ctx, p.retry)));
      return;
    }
    try {
      ctx.scope.add(name, await open(label, endpoint, tls, ctx.run.transcript, deadline));
    } catch (err) {
      throw connectFailure(endpoint, err as NodeJS.ErrnoException);
    }
  },
});

/**
 * Connects the way a well-behaved client reconnects: attempt, back off exponentially with full
 * jitter, attempt again, until `deadline`. Every attempt's fate goes to the case's notes, so a
 * report shows what the client went through before the server answered.
 */
async function openWithRetries(ctx: StepContext, name: string, endpoint: Endpoint, tls: TlsOptionsSpec | undefined, attemptMs: number, deadline: number): Promise<TcpConnection> {
  const started = Date.now();
  const fates: string[] = [];
  let conn: TcpConnection | undefined;
  const attempt = async () => {
    const began = Date.now();
    try {
      conn = await open(ctx.scope.label(name), endpoint, tls, ctx.run.transcript, Math.min(began + attemptMs, deadline));
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      fates.push(`${code ?? 'timed out'} after ${Date.now() - began} ms`);
      return false;
    }
  };
  const { attempts } = await retryWithBackoff(attempt, { deadline, alive: () => !ctx.run.signal.aborted, initialDelayMs: 100, maxDelayMs: 1000 });
  const history = fates.map((fate, i) => `${i + 1}: ${fate}`).join('; ');
  const outcome = conn ? `connected on attempt ${attempts} after ${Date.now() - started} ms` : `no connection after ${attempts} attempts in ${Date.now() - started} ms`;
  ctx.run.notes.push(`${ctx.scope.label(name)}: ${outcome}${history ? ` (failed attempts ${history})` : ''}`);
  if (!conn) throw new StepFailure(`could not connect to ${endpoint.host}:${endpoint.port}: ${outcome}`, fates.map((fate, i) => `attempt ${i + 1}: ${fate}`));
  return conn;
}

/** The TLS options a connection uses, or undefined for plain TCP. */
export function tlsFor(setting: boolean | TlsOptionsSpec | undefined, service: ServiceName): TlsOptionsSpec | undefined {
  if (setting === false) return undefined;
  if (setting === undefined) return TLS_SERVICES.includes(service) ? {} : undefined;
  return setting === true ? {} : setting;
}

export async function open(label: string, endpoint: Endpoint, tls: TlsOptionsSpec | undefined, transcript: Transcript, deadline: number): Promise<TcpConnection> {
  if (!tls) return TcpConnection.connect(label, endpoint, transcript, deadline);
  return connectTls(label, endpoint, await clientOptions(tls, endpoint), transcript, deadline);
}

function connectFailure(endpoint: Endpoint, err: NodeJS.ErrnoException): StepFailure {
  if (err instanceof TlsHandshakeError) return new StepFailure(`TLS handshake with ${endpoint.host}:${endpoint.port} failed: ${err.code} (${err.message})`);
  return new StepFailure(`could not connect to ${endpoint.host}:${endpoint.port}: ${err.code ?? err.message}`);
}

