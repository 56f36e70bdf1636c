import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SuiteError } from '../suite/suite-error';
import { TargetError } from '../targets/target';
import { PACKAGE_ROOT } from '../package-paths';
import { EXIT, UsageError } from './errors';
import { BaselineError } from '../report/baseline';
import type { RunFlags } from './run-command';
import { style } from '../report/style';
import { withCaptureValue } from './capture-flag';

/**
 * The `sockspec` command: parses arguments, runs one command, turns known errors into exit codes.
 *
 * Each command's modules (and the help texts, which list the step and target kinds) are imported
 * when that command runs: together they are most of the harness, jest included, and loading them
 * all took half a second before `--version` or `list` could answer.
 */
export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCommand(argv).catch(report);
}

async function runCommand(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return print((await import('./help')).MAIN_HELP);
  if (command === '--version' || command === '-v') return print(JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version);
  switch (command) {
    case 'run': {
      const { values } = parse(withCaptureValue(rest), RUN_OPTIONS);
      if (values.help) return print((await import('./help')).runHelp());
      const flags: RunFlags = {
        suite: values.suite ?? [],
        filter: values.filter,
        strict: values.strict ?? false,
        stepTimeout: values['step-timeout'],
        reports: values.reports ?? 'reports',
        target: values.target,
        cmd: values.cmd,
        client: values.client,
        clientTimeout: values['client-timeout'],
        image: values.image,
        port: values.port,
        udpPort: values['udp-port'],
        env: values.env,
        readyLog: values['ready-log'],
        host: values.host,
        startTimeout: values['start-timeout'],
        ca: values.ca,
        servername: values.servername,
        altServername: values['alt-servername'],
        alpn: values.alpn,
        idleTimeout: values['idle-timeout'],
        declareCapacity: values['declare-capacity'],
        transcripts: values.transcripts ?? false,
        retries: values.retries,
        seed: values.seed,
        repeat: values.repeat,
        timeScale: values['time-scale'],
        noTimeouts: values['no-timeouts'] ?? false,
        baseline: values.baseline,
        updateBaseline: values['update-baseline'] ?? false,
        failOnUnexpectedPass: values['fail-on-unexpected-pass'] ?? false,
        shard: values.shard,
        workers: values.workers,
        profile: values.profile,
        capture: values.capture,
      };
      if (values.only !== undefined && values.targets === undefined) throw new UsageError('--only goes with --targets FILE');
      if (values.targets === undefined) return (await import('./run-command')).runSuites(flags);
      return (await import('./targets-command')).runTargetsFile({ ...flags, targets: values.targets, only: values.only });
    }
    case 'list': {
      const { values } = parse(rest, { suite: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } as const);
      if (values.help) return print((await import('./help')).LIST_HELP);
      return print((await import('./list-command')).listSuites(values.suite ?? []).join('\n'));
    }
    case 'coverage': {
      const { values } = parse(rest, { suite: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } as const);
      if (values.help) return print((await import('./help')).COVERAGE_HELP);
      return print((await import('./coverage-command')).coverageReport(values.suite ?? []).join('\n'));
    }
    case 'serve':
      // serve's arguments are those of the reference image's entry point, which parses them.
      if (rest.includes('--help') || rest.includes('-h')) return print((await import('./help')).SERVE_HELP);
      return (await import('./serve-command')).serve(rest);
    case 'schema':
      if (rest.includes('--help') || rest.includes('-h')) return print((await import('./help')).SCHEMA_HELP);
      if (rest.length > 1 || (rest[0] !== undefined && !['suite', 'targets', 'config'].includes(rest[0]))) throw new UsageError('schema takes suite (the default), targets or config');
      return print(JSON.stringify(await publishedSchemaOf(rest[0]), null, 2));
    case 'merge': {
      const { values, positionals } = parse(rest, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const, true);
      if (values.help) return print((await import('./help')).MERGE_HELP);
      return print((await import('./merge-command')).mergeReports(values.out, positionals).join('\n'));
    }
    case 'certs': {
      const { values } = parse(rest, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const);
      if (values.help) return print((await import('./help')).CERTS_HELP);
      return print((await (await import('./certs-command')).writeCertificates(values.out)).join('\n'));
    }
    default:
      throw new UsageError(`unknown command "${command}"`, 'commands: run, list, coverage, serve, schema, certs, merge (sockspec --help)');
  }
}

/** The JSON Schema `sockspec schema [suite|targets|config]` prints. */
async function publishedSchemaOf(format: string | undefined): Promise<object> {
  if (format === 'targets') return (await import('./targets-file')).publishedTargetsSchema();
  if (format === 'config') return (await import('../suite/config-schema')).publishedConfigSchema();
  return (await import('../suite/schema')).publishedSchema();
}

const RUN_OPTIONS = {
  suite: { type: 'string', multiple: true },
  filter: { type: 'string' },
  target: { type: 'string' },
  targets: { type: 'string' },
  only: { type: 'string' },
  cmd: { type: 'string' },
  client: { type: 'string' },
  'client-timeout': { type: 'string' },
  image: { type: 'string' },
  port: { type: 'string' },
  'udp-port': { type: 'string' },
  env: { type: 'string', multiple: true },
  'ready-log': { type: 'string' },
  host: { type: 'string' },
  'start-timeout': { type: 'string' },
  ca: { type: 'string' },
  servername: { type: 'string' },
  'alt-servername': { type: 'string' },
  alpn: { type: 'string' },
  'idle-timeout': { type: 'string' },
  'declare-capacity': { type: 'string', multiple: true },
  transcripts: { type: 'boolean' },
  retries: { type: 'string' },
  seed: { type: 'string' },
  repeat: { type: 'string' },
  'time-scale': { type: 'string' },
  'no-timeouts': { type: 'boolean' },
  baseline: { type: 'string' },
  'update-baseline': { type: 'boolean' },
  'fail-on-unexpected-pass': { type: 'boolean' },
  shard: { type: 'string' },
  workers: { type: 'string' },
  profile: { type: 'string' },
  strict: { type: 'boolean' },
  'step-timeout': { type: 'string' },
  reports: { type: 'string' },
  capture: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse<O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0], 'see --help');
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return EXIT.pass;
}

/** Mistakes of the user get one clear message; anything else is a bug and keeps its stack. */
function report(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`${style.fail('error')}: ${err.message}\n${err.hint ? `  ${err.hint}\n` : ''}`);
  } else if (err instanceof BaselineError) {
    process.stderr.write(`${style.fail('error')}: ${err.message}\n`);
  } else if (err instanceof SuiteError) {
    process.stderr.write(`${style.fail('error')}: malformed ${err.kind}: ${err.message}\n`);
  } else if (err instanceof TargetError) {
    process.stderr.write(`${style.fail('error')}: the target could not start: ${err.message}\n`);
    if (err.output.length) process.stderr.write(`  its last output:\n${err.output.map((l) => `    | ${l}`).join('\n')}\n`);
  } else {
    process.stderr.write(`sockspec: internal error (please report it): ${(err as Error).stack ?? err}\n`);
  }
  return EXIT.error;
}
