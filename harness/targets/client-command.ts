import { splitCommand } from './split-command';
import { ClientProcess } from './client-process';

/** The placeholders a client command takes now; later suites add {ca}, {servername}, {cert}, {key}, {timeout}. */
const CLIENT_PLACEHOLDER = /\{(host|port)\}/g;

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

/** Starts the client once: {host} and {port} substituted in every word, `extraArgs` appended. No shell is involved. */
export function startClient(client: ClientCommand, at: { host: string; port: number }, extraArgs: readonly string[] = []): ClientProcess {
  const values: Record<string, string> = { host: at.host, port: String(at.port) };
  const [program, ...args] = splitCommand(client.command).map((word) => word.replace(CLIENT_PLACEHOLDER, (_, name: string) => values[name]));
  return new ClientProcess(program, [...args, ...extraArgs]);
}
