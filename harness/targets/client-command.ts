import { splitCommand } from './split-command';
import { ClientProcess } from './client-process';

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
} as const;

export type ClientPlaceholder = keyof typeof CLIENT_PLACEHOLDERS;
/** What one case puts in the placeholders. */
export type PlaceholderValues = Partial<Record<ClientPlaceholder, string>> & { host: string; port: string };

const PLACEHOLDER = new RegExp(`\\{(${Object.keys(CLIENT_PLACEHOLDERS).join('|')})\\}`, 'g');

/** The client under test as data: the command line a client suite's cases run, once per `start-client`. */
export interface ClientCommand {
  command: string;
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

/**
 * Starts the client once: the placeholders substituted in every word, `extraArgs` appended, `env`
 * added to its environment. No shell is involved.
 */
export function startClient(client: ClientCommand, values: PlaceholderValues, extraArgs: readonly string[] = [], env: Readonly<Record<string, string>> = {}): ClientProcess {
  const [program, ...args] = splitCommand(client.command).map((word) => word.replace(PLACEHOLDER, (_, name: ClientPlaceholder) => values[name] ?? ''));
  return new ClientProcess(program, [...args, ...extraArgs], env);
}
