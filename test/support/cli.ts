import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'sockspec.js');

/**
 * The CLI as a developer runs it, whether or not these tests run in CI: with CI=true it keeps
 * packet captures of failed cases by default (a line in each failed case's JUnit output, a
 * folder in the reports). Tests of that default set CI themselves (`env`).
 */
const OUTSIDE_CI = { CI: undefined };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `sockspec` command as a user would (npm test builds dist/ first), without colours
 * unless `env` asks for them.
 */
export function sockspec(args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 60_000, env: { ...process.env, ...OUTSIDE_CI, NO_COLOR: '1', ...options.env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/**
 * A temporary folder for one test's reports, removed afterwards. Made when its path is first read:
 * a describe block makes its folder when the file is collected, and a run that filters out all of
 * the block's tests (-t) never runs the afterAll that would remove it.
 */
export function tempDir(): { readonly path: string; remove(): void } {
  let dir: string | undefined;
  return {
    get path() {
      return (dir ??= mkdtempSync(path.join(os.tmpdir(), 'sockspec-test-')));
    },
    remove: () => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A temporary folder holding `files` (relative path → text), folders made as needed. */
export function tempTree(files: Record<string, string>): { readonly path: string; remove(): void } {
  const dir = tempDir();
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir.path, file)), { recursive: true });
    writeFileSync(path.join(dir.path, file), text);
  }
  return dir;
}

/**
 * Case ids that failed in the progress output, for one suite: those that fail the run (✗) and
 * those whose level tolerates the failure (~, a `should` without --strict or an `info` case).
 */
export function failedCases(stdout: string, suite: string): string[] {
  return [...stdout.matchAll(new RegExp(`^[✗~] ${suite}/(\\S+)`, 'gm'))].map((m) => m[1]).sort();
}

export function passedCases(stdout: string, suite: string): string[] {
  return [...stdout.matchAll(new RegExp(`^✓ ${suite}/(\\S+)`, 'gm'))].map((m) => m[1]).sort();
}

/** Asserts which cases failed; on a mismatch the error carries the run's output, failures included. */
export function expectFailedCases(result: CliResult, suite: string, expected: string[]): void {
  const failed = failedCases(result.stdout, suite);
  const want = [...expected].sort();
  if (JSON.stringify(failed) !== JSON.stringify(want)) {
    throw new Error(`failed cases were ${JSON.stringify(failed)}, expected ${JSON.stringify(want)}\n\n${result.stdout}\n${result.stderr}`);
  }
}

/** A `sockspec` run started to be interrupted: its output so far, and its exit code once it ends. */
export interface InterruptibleRun {
  cli: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches the pattern given (never without one). */
  reached: Promise<void>;
  exited: Promise<number | null>;
  /** Ctrl-C, as a terminal sends it to its foreground job's whole process group. */
  interrupt(): void;
}

/** Starts `sockspec ARGS` in a process group of its own, as a terminal's foreground job, watching stdout for `until`; `env` adds to the environment. */
export function startInterruptible(args: string[], until?: RegExp, env: NodeJS.ProcessEnv = {}): InterruptibleRun {
  const cli = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...OUTSIDE_CI, NO_COLOR: '1', ...env }, detached: true });
  let stdout = '';
  let stderr = '';
  const reached = new Promise<void>((resolve) =>
    cli.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (until?.test(stdout)) resolve();
    }),
  );
  cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
  return { cli, stdout: () => stdout, stderr: () => stderr, reached, exited, interrupt: () => process.kill(-(cli.pid as number), 'SIGINT') };
}
