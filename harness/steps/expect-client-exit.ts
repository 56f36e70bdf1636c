import { Type } from '@sinclair/typebox';
import { CheckedRule, defineStep } from './define';
import { PAYLOAD_FORMS, PayloadFields, buildPayload, type PayloadSpec } from './support/payload';
import { startedServerSide, type ServerSide } from './support/server-side';
import { clientState } from './support/client-state';
import { readExactly } from './support/expect-bytes';
import { concatenated, type Payload } from '../net/payload';
import type { CapturedBytes, ClientExit, ClientProcess } from '../targets/client-process';
import { stepTimeoutMs, toleranceFor, type CaseRun } from './context';
import { dump, firstDifference, windowStart } from '../verdict/bytes';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { DescribedDuration, formatBytes } from '../vocabulary/units';
import { Regex } from '../vocabulary/regex';
import { createHash } from 'node:crypto';

const ExitCode = Type.Integer({ minimum: 0, maximum: 255 });

export const expectClientExit = defineStep({
  name: 'expect-client-exit',
  summary:
    'Client suites: waits for the client process to exit and checks its exit code, what it printed to stdout ' +
    '(the bytes the server side sent on the connections it accepted, a payload or a regex) and to stderr, ' +
    'and that it exited within a time of the step before (e.g. within 2s of a close).',
  schema: Type.Object(
    {
      ...CheckedRule,
      code: Type.Optional(
        Type.Union([ExitCode, Type.Literal('non-zero'), Type.Literal('any'), Type.Array(ExitCode, { minItems: 1, uniqueItems: true })], {
          description: 'the exit code: a number, "non-zero", "any" (a step that checks the time alone), or a list of the codes allowed (default 0)',
        }),
      ),
      within: Type.Optional(DescribedDuration('how long after this step starts the client must have exited (default the step timeout; patience, scaled by --time-scale); a client that has not is killed and fails')),
      after: Type.Optional(
        Type.Literal('timeout', {
          description:
            "timeout: the client must exit no sooner than its declared timeout (--client-timeout T) after it started, and no later than tolerance after that: within [T, T + tolerance] of its start (the case needs: [client-timeout])",
        }),
      ),
      tolerance: Type.Optional(DescribedDuration('with after: how late past its declared timeout the client may exit (its start-up and a loaded machine included; scaled by --time-scale, the declared timeout is not)')),
      stdout: Type.Optional(
        Type.Union([
          Type.Literal('sent', { description: 'every byte the server side sent on the connections it accepted, in order; for a UDP service, the datagrams it sent from its port, back to back' }),
          Type.Object({ ...PayloadFields, regex: Type.Optional(Regex('a JavaScript regex stdout (as UTF-8) must match', { placeholders: false })) }, { additionalProperties: false }),
        ]),
      ),
      stderr: Type.Optional(Regex('a JavaScript regex the whole of stderr (its lines joined by LF) must match, e.g. ^.+$ for exactly one line', { placeholders: false })),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect the client to exit with ${describeCode(p.code ?? 0)}${p.after ? ` within [T, T + ${p.tolerance}] of its start` : ''}`,
  needs: (p) => (p.after ? ['client-timeout'] : []),
  check(p, where, report) {
    if (where.peer !== 'client') report('expect-client-exit is for client suites (peer: client)');
    if ((p.after === undefined) !== (p.tolerance === undefined)) report('after and tolerance go together: after: timeout, tolerance: 1500ms', p.after === undefined ? 'tolerance' : 'after');
    if (p.after !== undefined && p.within !== undefined) report('give within or after, not both: after bounds the exit by the declared timeout', 'within');
    if (typeof p.stdout === 'object') {
      const forms = [...PAYLOAD_FORMS, 'regex'].filter((form) => (p.stdout as Record<string, unknown>)[form] !== undefined);
      if (forms.length !== 1) report('stdout takes "sent", or one of text, hex, base64, random, counter and regex', 'stdout');
    }
  },
  async run(p, ctx) {
    const side = await startedServerSide(ctx.run);
    const client = side.client;
    if (!client) throw new StepFailure('the client was not started');
    const began = Date.now();
    if (p.after !== undefined) {
      await exitAfterTimeout(side, client, toleranceFor(ctx, p.tolerance), ctx.run);
    } else {
      const withinMs = stepTimeoutMs(ctx, p.within);
      const exit = await exitBy(client.exited, Math.min(began + withinMs, ctx.run.caseDeadline));
      if (!exit) throw new StepFailure(`the client did not exit within ${withinMs} ms`, clientState(side));
      ctx.run.notes.push(`client: ${client.exitDescription} ${Math.max(0, exit.at - began)} ms after step ${ctx.path} began`);
    }
    const exit = await client.exited;
    if (!codeMatches(exit, p.code ?? 0)) throw new StepFailure(`the client exited with ${client.exitDescription}, expected ${describeCode(p.code ?? 0)}`, clientState(side));
    if (p.stdout !== undefined) checkStdout(side, p.stdout, ctx.seed);
    if (p.stderr !== undefined && !new RegExp(p.stderr, 'u').test(client.stderr.lines().join('\n'))) {
      throw new StepFailure(`the client's stderr does not match /${p.stderr}/`, clientState(side));
    }
  },
});

/**
 * The client's exit within [T, T + tolerance] of its start, T its declared timeout: a client
 * still running then is too late (it is killed when the case ends), one that exited before T gave
 * up before its timeout had passed.
 */
async function exitAfterTimeout(side: ServerSide, client: ClientProcess, toleranceMs: number, run: CaseRun): Promise<void> {
  const timeoutMs = run.client?.timeoutMs;
  if (timeoutMs === undefined) throw new SuiteUsageError('after: timeout needs the timeout the client declares (--client-timeout T)');
  const exit = await exitBy(client.exited, Math.min(client.startedAt + timeoutMs + toleranceMs, run.caseDeadline));
  const window = `[${timeoutMs}, ${timeoutMs + toleranceMs}] ms (its declared timeout, plus ${toleranceMs} ms)`;
  if (!exit) throw new StepFailure(`the client did not give up within ${window} of its start`, clientState(side));
  const tookMs = exit.at - client.startedAt;
  run.notes.push(`client: ${client.exitDescription} ${tookMs} ms after it started; declared timeout ${timeoutMs} ms`);
  if (tookMs < timeoutMs) throw new StepFailure(`the client exited ${tookMs} ms after it started, before its declared timeout had passed: expected within ${window}`, clientState(side));
}

function describeCode(code: number | 'non-zero' | 'any' | number[]): string {
  if (code === 'any') return 'any code';
  if (code === 'non-zero') return 'a non-zero code';
  return Array.isArray(code) ? `code ${code.join(' or ')}` : `code ${code}`;
}

function codeMatches(exit: ClientExit, code: number | 'non-zero' | 'any' | number[]): boolean {
  if (exit.code === null) return false; // a signal is no exit code
  if (code === 'any') return true;
  if (code === 'non-zero') return exit.code !== 0;
  return Array.isArray(code) ? code.includes(exit.code) : exit.code === code;
}

function exitBy(exited: Promise<ClientExit>, deadline: number): Promise<ClientExit | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    void exited.then((exit) => {
      clearTimeout(timer);
      resolve(exit);
    });
  });
}

type StdoutSpec = 'sent' | (PayloadSpec & { regex?: string });

function checkStdout(side: ServerSide, spec: StdoutSpec, seed: string): void {
  const printed = (side.client as NonNullable<ServerSide['client']>).stdout();
  if (spec !== 'sent' && spec.regex !== undefined) {
    if (!new RegExp(spec.regex, 'u').test(printed.kept.toString('utf8'))) throw new StepFailure(`the client's stdout does not match /${spec.regex}/`, clientState(side));
    return;
  }
  const expected = spec === 'sent' ? concatenated([...side.accepted.flatMap((conn) => conn.takePendingEcho()), ...side.replies]) : buildPayload(spec, seed);
  const problem = stdoutDifference(printed, expected);
  if (problem) throw new StepFailure(`the client's stdout is not ${expected.label}: ${problem.summary}`, [...problem.details, ...clientState(side)]);
}

/** How stdout differs from the payload, or undefined when it is the payload byte for byte. */
function stdoutDifference(printed: CapturedBytes, expected: Payload): { summary: string; details: string[] } | undefined {
  const want = readExactly(expected.open(), Math.min(expected.length, printed.kept.length));
  const at = firstDifference(want, printed.kept.subarray(0, want.length));
  if (at >= 0) {
    const from = windowStart(at);
    return {
      summary: `byte ${at} differs`,
      details: [...dump('expected', from, want.subarray(from, from + 48), 3), ...dump('printed', from, printed.kept.subarray(from, from + 48), 3)],
    };
  }
  if (printed.total !== expected.length) {
    const side = printed.total < expected.length ? 'printed' : 'expected';
    return { summary: `${formatBytes(printed.total)} printed, ${formatBytes(expected.length)} expected`, details: [`the first ${formatBytes(Math.min(printed.total, expected.length))} are the same; the ${side} bytes end there`] };
  }
  // Past the bytes kept, the digest of the whole tells.
  if (printed.total > printed.kept.length && sha256(expected) !== printed.sha256) return { summary: `the bytes past the first ${formatBytes(printed.kept.length)} differ (SHA-256)`, details: [] };
  return undefined;
}

function sha256(payload: Payload): string {
  const hash = createHash('sha256');
  const stream = payload.open();
  for (let chunk = stream.read(1 << 20); chunk.length > 0; chunk = stream.read(1 << 20)) hash.update(chunk);
  return hash.digest('hex');
}
