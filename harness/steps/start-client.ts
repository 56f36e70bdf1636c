import { Type } from '@sinclair/typebox';
import { defineStep } from './define';
import { PAYLOAD_FORMS, PayloadFields, buildPayload } from './support/payload';
import { CLIENT, LISTENER, caseLoopback, serverSide, type ServerSide } from './support/server-side';
import { caseNamespace, dropAnswers, routeThrough, synDropRoute } from './support/syn-drop';
import { captureSyns, type SynCapture } from './support/syn-capture';
import { readyCompanions } from './support/companions';
import type { NetworkNamespace } from '../netns/namespace';
import { BackoffPolicySchema, declarePolicy, policyPlaceholders as backoffPlaceholders } from './support/backoff-policy';
import type { StepContext } from './context';
import { ServerTlsOptions, serverTls } from './support/server-tls';
import { cachedCertificateSet } from '../certs/cache';
import { SERVER_NAME } from '../certs/certificate-set';
import { makeClientCertificates } from '../certs/write';
import { missingPlaceholders, startClient, timeoutSeconds, type PlaceholderValues } from '../targets/client-command';
import { SuiteUsageError } from '../verdict/failure';
import { DescribedDuration, Size, formatBytes, toBytes, toMs } from '../vocabulary/units';
import { RetransmitSpec, policyPlaceholders as retransmitPlaceholders, retransmitPolicy } from './support/retransmit';
import { SERVICE_TRANSPORT } from '../targets/target';

export const startClientStep = defineStep({
  name: 'start-client',
  summary:
    "Client suites: starts the case's server side (a listener on 127.0.0.1, a free port) and runs the client " +
    'command once against it, with {host} and {port} replaced; writes the payload to its stdin (none: empty stdin), ' +
    'in pieces of chunk bytes with delay between them, then closes stdin (unless stdinOpen). With listening: false nothing listens on the port. ' +
    'With tls: the server side speaks TLS with the chain named, {ca} is a file holding the root the client is to trust, {servername} the name it must verify, {cert} and {key} its client certificate; ' +
    "the client's default trust store (SSL_CERT_FILE, SSL_CERT_DIR) holds only an unrelated root. With copies, that many copies of the client start together (see copies). Goes on at once; the client is killed when the case ends.",
  schema: Type.Object(
    {
      stdin: Type.Optional(Type.Object(PayloadFields, { additionalProperties: false, description: 'what the client reads on stdin, as send takes a payload' })),
      chunk: Type.Optional(Size),
      delay: Type.Optional(DescribedDuration('the pause between two pieces of stdin (with chunk)')),
      listening: Type.Optional(Type.Boolean({ description: 'false: the client is given a port nothing listens on, so its connection is refused' })),
      stdinOpen: Type.Optional(Type.Boolean({ description: 'keep stdin open after the payload, until the case ends (a client that waits for its end never exits)' })),
      args: Type.Optional(Type.Array(Type.String(), { description: 'words appended to the client command' })),
      retransmit: Type.Optional(RetransmitSpec),
      tls: Type.Optional(ServerTlsOptions),
      refuse: Type.Optional(
        Type.Integer({
          minimum: 1,
          description:
            'the first N connection attempts are refused (nothing listens: the kernel answers with a reset), then the server side listens; ' +
            'every attempt is recorded with its time (tcpdump on loopback: root and tcpdump, the case is skipped without them)',
        }),
      ),
      refuseFor: Type.Optional(
        DescribedDuration(
          'as refuse, but by time: attempts are refused until this long after the first one, then the server side listens. ' +
            'Unlike a count, this does not race a client that retries within milliseconds (the listener opens when the capture has told sockspec of an attempt)',
        ),
      ),
      drop: Type.Optional(
        Type.Integer({
          minimum: 1,
          description:
            'the first N connection attempts get no answer, so each ends at the client\'s own attempt timeout, then the server side listens: the client runs inside a network namespace ' +
            'the case creates, is given an address there (the host end of its veth pair), and nftables inside the namespace drops what comes back from it; ' +
            'every attempt is recorded with its time (tcpdump on the veth: root, tcpdump and nftables, the case is skipped without them)',
        }),
      ),
      dropFor: Type.Optional(
        DescribedDuration('as drop, but by time: attempts get no answer until this long after the first one, then the server side listens (as refuseFor)'),
      ),
      backoff: Type.Optional(BackoffPolicySchema),
      copies: Type.Optional(
        Type.Integer({
          minimum: 2,
          maximum: 8,
          description:
            'with refuse or refuseFor, and backoff: runs this many copies of the client command, started at the same moment, the main one as the other options say ' +
            'and each other one refused throughout on a port of its own with its own attempt capture (expect-attempts delays: apart compares them); all are killed when the case ends',
        }),
      ),
      dropSyns: Type.Optional(
        Type.Boolean({
          description:
            'true: the client runs inside a network namespace the case creates and is given an address there (the host end of its veth pair) ' +
            'from which nftables drops every SYN it sends, so its connect can only time out; needs root and nftables (the case is skipped without them)',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  cost: (p) => ({ bytes: p.stdin ? buildPayload(p.stdin, '').length : 0 }),
  describe: (p) => `start the client${p.stdin ? ` with ${PAYLOAD_FORMS.find((form) => p.stdin?.[form] !== undefined)} on stdin` : ''}`,
  check(p, where, report) {
    if (where.peer !== 'client') report('start-client is for client suites (peer: client)');
    if (where.inParallel) report('start-client runs one client per case: not inside parallel or repeat');
    if (p.retransmit && SERVICE_TRANSPORT[where.service] !== 'udp') report('retransmit is the policy of a UDP client: its suite is of a UDP service', 'retransmit');
    if (p.stdin && PAYLOAD_FORMS.filter((form) => p.stdin?.[form] !== undefined).length !== 1) report('stdin takes one payload form: text, hex, base64, random or counter', 'stdin');
    if (p.dropSyns && p.listening !== undefined) report('dropSyns gives an address nothing answers at: leave out listening', 'dropSyns');
    if (p.refuse !== undefined && p.refuseFor !== undefined) report('give refuse (a count of attempts) or refuseFor (a time), not both', 'refuseFor');
    const refusing = p.refuse !== undefined ? 'refuse' : p.refuseFor !== undefined ? 'refuseFor' : undefined;
    if (refusing && (p.listening !== undefined || p.dropSyns)) report(`${refusing} starts without listening and listens later: leave out listening and dropSyns`, refusing);
    if (p.copies !== undefined && (!refusing || !p.backoff)) report('copies compares the retries of clients refused together: give it with refuse or refuseFor, and backoff', 'copies');
    if ((refusing || p.dropSyns) && SERVICE_TRANSPORT[where.service] === 'udp') report(`${refusing ?? 'dropSyns'} is for TCP clients: a UDP server side has no connections to refuse`, refusing ?? 'dropSyns');
    if (p.drop !== undefined && p.dropFor !== undefined) report('give drop (a count of attempts) or dropFor (a time), not both', 'dropFor');
    const dropping = p.drop !== undefined ? 'drop' : p.dropFor !== undefined ? 'dropFor' : undefined;
    if (dropping && (refusing || p.listening !== undefined || p.dropSyns)) report(`${dropping} starts without answering and listens later: leave out listening, dropSyns, refuse and refuseFor`, dropping);
    if (dropping && SERVICE_TRANSPORT[where.service] === 'udp') report(`${dropping} is for TCP clients: a UDP server side has no connections to drop`, dropping);
  },
  async run(p, ctx) {
    const client = ctx.run.client;
    if (!client) throw new SuiteUsageError('start-client needs a client to run: give one with --client "COMMAND {host} {port}"');
    const refusing = p.refuse !== undefined || p.refuseFor !== undefined;
    const dropping = p.drop !== undefined || p.dropFor !== undefined;
    const ns = dropping ? await caseNamespace(ctx) : undefined;
    const side = await serverSide(ctx, !p.dropSyns && !refusing && !dropping && (p.listening ?? true), ns?.subnet.host ?? (refusing ? caseLoopback() : undefined));
    if (refusing) await refuseFirst(ctx, side, p.refuse !== undefined ? { attempts: p.refuse } : { ms: toMs(p.refuseFor ?? 0) });
    if (ns) await dropFirst(ctx, side, ns, p.drop !== undefined ? { attempts: p.drop } : { ms: toMs(p.dropFor ?? 0) });
    if (p.backoff) declarePolicy(ctx.run, p.backoff);
    if (side.client) throw new SuiteUsageError('the client is already started in this case');
    const stdin = p.stdin ? buildPayload(p.stdin, ctx.seed) : side.stdin;
    side.stdin = stdin;
    const transcript = ctx.run.transcript;
    if (p.retransmit) side.retransmit = retransmitPolicy(p.retransmit);
    const route = p.dropSyns ? await synDropRoute(ctx, side.port) : ns && routeThrough(ns);
    const values: PlaceholderValues = { host: route?.host ?? side.host, port: String(side.port), ...(side.retransmit && retransmitPlaceholders(side.retransmit)) };
    if (client.timeoutMs !== undefined) values.timeout = timeoutSeconds(client.timeoutMs);
    if (p.backoff) Object.assign(values, backoffPlaceholders(p.backoff));
    const env: Record<string, string> = {};
    if (p.tls) {
      const set = await cachedCertificateSet();
      side.tls = serverTls(p.tls, set);
      const files = await makeClientCertificates(set);
      ctx.onCleanup(() => files.remove());
      Object.assign(values, { ca: files.ca, servername: p.tls.servername ?? SERVER_NAME, cert: files.cert, key: files.key });
      Object.assign(env, { SSL_CERT_FILE: files.defaultStore.file, SSL_CERT_DIR: files.defaultStore.dir });
      transcript.record(LISTENER, 'note', `speaks ${p.tls.version ? `${p.tls.version} only` : 'TLSv1.2 and TLSv1.3'}, offering the ${p.tls.certificate} chain${p.tls.clientCertificate ? ', requiring a client certificate' : ''}; {servername} is ${values.servername}`);
    }
    const missing = missingPlaceholders(client, values);
    if (missing.length > 0) throw new SuiteUsageError(`the client command uses ${missing.map((name) => `{${name}}`).join(', ')}, which this case does not give (it gives ${Object.keys(values).map((name) => `{${name}}`).join(', ')})`);
    if (route) transcript.record(LISTENER, 'note', `the client runs in network namespace ${route.name}; every ${p.dropSyns ? 'SYN to' : 'answer from'} ${route.host}:${side.port} is dropped`);
    const startCompanions = p.copies ? await readyCompanions(ctx, side.host, side.port, p.copies - 1) : undefined;
    const running = startClient(client, values, p.args ?? [], { env, wrap: route?.wrap });
    startCompanions?.((port) => {
      const companion = startClient(client, { ...values, port: String(port) }, p.args ?? [], { env });
      void companion.feed(stdin);
      return companion;
    });
    side.client = running;
    transcript.record(CLIENT, 'note', `started (pid ${running.pid ?? 'none'}) with ${formatBytes(stdin.length)} on stdin`);
    // The client's output in the timeline, beside the server side's events: what it printed when.
    running.onStdout((chunk) => transcript.data(CLIENT, 'printed', chunk, 'on stdout'));
    running.stderr.onLine((line) => transcript.record(CLIENT, 'printed', `on stderr: ${line.text}`));
    void running.exited.then(() => transcript.record(CLIENT, 'note', `exited: ${running.exitDescription}`));
    // Fed in the background: a client reads its stdin as it sends, which may wait on the server side.
    void running.feed(stdin, { chunk: p.chunk === undefined ? 0 : toBytes(p.chunk), delay: p.delay === undefined ? 0 : toMs(p.delay), keepOpen: p.stdinOpen ?? false });
  },
});

/** Until when start-client holds back the answers to the client's attempts: a count of attempts, or a time from the first. */
type Until = { attempts: number } | { ms: number };

/**
 * Refuses the client's first attempts: nothing listens on the port until the capture has seen
 * `attempts` SYNs, or until `ms` after the first one (by the SYN's time on the wire), then the
 * listener opens. Opening takes the milliseconds the capture needs to report an attempt: a client
 * that retries faster than that may find the port still closed after a count, never after a time
 * its delays clear.
 */
async function refuseFirst(ctx: StepContext, side: ServerSide, until: Until): Promise<void> {
  const capture = await captureSyns(ctx, side.host, side.port);
  answerFrom(ctx, capture, until, () => side.reopen());
}

/**
 * Leaves the client's first attempts unanswered: nothing listens and the namespace drops the
 * resets, until as refuseFirst; then the listener opens and the rule goes, in that order, so that
 * no attempt in between is refused. The capture, on the host end of the veth (the SYNs pass it
 * whatever the rule does), learns until when attempts were dropped: expect-attempts times their
 * failure from the client's attempt timeout.
 */
async function dropFirst(ctx: StepContext, side: ServerSide, ns: NetworkNamespace, until: Until): Promise<void> {
  const lift = await dropAnswers(ctx, ns, side.host, side.port);
  const capture = await captureSyns(ctx, side.host, side.port, ns.hostDevice);
  capture.droppedUntil = Infinity;
  answerFrom(ctx, capture, until, async () => {
    await side.reopen();
    await lift();
    capture.droppedUntil = Date.now();
    ctx.run.transcript.record(LISTENER, 'note', 'the client\'s attempts are answered from now on');
  });
}

/** Calls `answer` once `until` is reached, by the attempts the capture saw. */
function answerFrom(ctx: StepContext, capture: SynCapture, until: Until, answer: () => Promise<void>): void {
  const start = () =>
    void answer().catch((err: Error) => ctx.run.transcript.record(LISTENER, 'note', `could not answer the client's attempts: ${err.message}`));
  capture.onAttempt((attempt, seen) => {
    if ('attempts' in until && seen === until.attempts) start();
    if ('ms' in until && seen === 1) {
      const timer = setTimeout(start, Math.max(0, attempt.at + until.ms - Date.now()));
      ctx.onCleanup(async () => clearTimeout(timer));
    }
  });
}
