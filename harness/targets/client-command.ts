import { splitCommand } from './split-command';
import { ClientProcess } from './client-process';
import { toMs } from '../vocabulary/units';

/**
 * Every placeholder a client command may hold, with what a case puts there. A case gives only
 * those its server side has (an echo case has no {ca}); a suite that adds one adds it here.
 */
export const CLIENT_PLACEHOLDERS = {
  host: 'the address of the server side the case plays',
  port: 'its port',
  rto: "a UDP client's first retransmission timeout, in ms (udp-client)",
  'rto-multiplier': 'what each further timeout of a UDP client is multiplied by (udp-client)',
  'rto-tries': 'how many times in all a UDP client sends a request before it gives up (udp-client)',
  ca: 'TLS cases: a PEM file holding the one root the client is to trust',
  servername: 'TLS cases: the name the client must verify the certificate against and send as SNI (an IP address: verify that, send no SNI)',
  cert: "TLS cases: a PEM file holding the client's certificate, to present when the server asks for one",
  key: 'TLS cases: a PEM file holding the key of {cert}',
  timeout: "the client's declared timeout (--client-timeout), in seconds: 2 for 2s, 0.5 for 500ms",
  initial: "the retry policy a client-backoff case declares: the first delay, in seconds",
  multiplier: 'the retry policy: each delay is the last one times this',
  cap: 'the retry policy: the longest delay, in seconds',
  jitter: 'the retry policy: the share (0.2) each delay is spread by at random, ±',
  attempts: 'the retry policy: connection attempts in all, the first included',
  'attempt-timeout': 'the retry policy: how long one attempt waits for its connection, in seconds',
} as const;

export type ClientPlaceholder = keyof typeof CLIENT_PLACEHOLDERS;
/** What one case puts in the placeholders. */
export type PlaceholderValues = Partial<Record<ClientPlaceholder, string>> & { host: string; port: string };

const PLACEHOLDER = new RegExp(`\\{(${Object.keys(CLIENT_PLACEHOLDERS).join('|')})\\}`, 'g');

/** The client under test as data: the command line a client suite's cases run, once per `start-client`. */
export interface ClientCommand {
  command: string;
  /** The timeout the client declares (--client-timeout): the timing suites check it keeps it, and give it as {timeout}. */
  timeoutMs?: number;
}

/** {timeout}: seconds, as most clients take it (curl, socat, Python's socket), without a trailing .0. */
export function timeoutSeconds(ms: number): string {
  return String(ms / 1000);
}

/** The form of a declared client timeout: a duration with its unit, never a bare number (seconds or milliseconds?). */
export const CLIENT_TIMEOUT_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m)$';
/** The longest client timeout: a case waits it out on top of its own time-out. */
export const MAX_CLIENT_TIMEOUT_MS = 300_000;

/** The declared timeout in ms, or why it is not one (a one-line problem). */
export function clientTimeoutMs(text: string): number | string {
  const ms = new RegExp(CLIENT_TIMEOUT_PATTERN).test(text) ? toMs(text) : undefined;
  if (ms === undefined) return `takes a duration with its unit, such as 2s or 1500ms, not "${text}"`;
  if (ms < 1 || ms > MAX_CLIENT_TIMEOUT_MS) return `takes from 1ms to ${MAX_CLIENT_TIMEOUT_MS / 1000}s, not "${text}"`;
  return ms;
}

/**
 * Why a client command line cannot be run, or undefined when it can: checked where it is given
 * (the flag, a targets file, a spec in code), before anything starts.
 */
export function clientCommandProblem(command: string): string | undefined {
  let words: string[];
  try {
    words = splitCommand(command);
  } catch (err) {
    return (err as Error).message;
  }
  if (words.length === 0) return 'the client command is empty';
  if (!words.some((word) => word.includes('{port}'))) return `the client command has no {port}: sockspec picks the port of the server side and puts it there (command: ${command})`;
  return undefined;
}

/** The placeholders a command uses that `values` does not fill: the case cannot run this client. */
export function missingPlaceholders(client: ClientCommand, values: PlaceholderValues): ClientPlaceholder[] {
  const used = [...client.command.matchAll(PLACEHOLDER)].map((match) => match[1] as ClientPlaceholder);
  return [...new Set(used.filter((name) => values[name] === undefined))];
}

/** Runs a command line elsewhere, e.g. inside a network namespace (`ip netns exec NAME ...`). */
export type CommandWrap = (program: string, args: readonly string[]) => [string, string[]];

/** How a client is run besides its command line: variables added to its environment, a wrapper to run it through. */
export interface ClientLaunch {
  env?: Readonly<Record<string, string>>;
  wrap?: CommandWrap;
}

/** Starts the client once: the placeholders substituted in every word, `extraArgs` appended, as `launch` says. No shell is involved. */
export function startClient(client: ClientCommand, values: PlaceholderValues, extraArgs: readonly string[] = [], { env = {}, wrap }: ClientLaunch = {}): ClientProcess {
  const [program, ...args] = splitCommand(client.command).map((word) => word.replace(PLACEHOLDER, (_, name: ClientPlaceholder) => values[name] ?? ''));
  const [run, words] = wrap ? wrap(program, [...args, ...extraArgs]) : [program, [...args, ...extraArgs]];
  return new ClientProcess(run, words, env);
}
