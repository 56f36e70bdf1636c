import path from 'node:path';
import type { Config } from '@jest/types';
import { junitReporter, suiteProject } from './harness/jest/config';

/**
 * The project's own tests, in three jest projects:
 * - `suites`: every suite against the builtin reference servers, exactly as `sockspec run` runs them;
 * - `unit`: the test files under test/ (TypeScript through swc), except the slow proofs below;
 * - `slow`: the slow proofs below.
 *
 * `npm test` (the quick loop) runs `suites` and `unit`; `npm run test:full` runs all three, and is
 * what CI runs (.ci/run). A test file that takes minutes goes in this list, with why.
 */
export const SLOW_PROOFS: Record<string, string> = {
  'mutants.test.ts': 'runs every server suite against each of its mutant servers (~10 min)',
  'echo-client-mutants.test.ts': 'runs the echo client suites against every mutant client, each a process',
  'udp-client-mutants.test.ts': 'runs the UDP client suite against every mutant client, each waiting out retransmission timers',
  'tls-client-mutants.test.ts': 'runs the TLS client suite against every mutant client, each a process and a handshake',
  'client-timeouts-mutants.test.ts': 'runs the client timeout suite against every mutant client, each waiting out its declared timeout',
  'client-backoff-mutants.test.ts': 'runs the backoff suite against every mutant client, each waiting out its backoff delays',
  'random-payload-kills.test.ts': 'runs the random-payload cases against mutants over many seeds',
  'package.test.ts': 'npm pack, then npm and pnpm installs into fresh projects',
  'containers.test.ts': 'builds container images and runs the suites against containers (Docker)',
  'containers-cli.test.ts': 'builds images and runs the CLI against containers (Docker)',
  'containers-readiness.test.ts': 'starts containers that are slow to listen (Docker)',
  'dead-container.test.ts': 'runs suites against a container that exits midway (Docker)',
  'api-image.test.ts': 'runs a project test against a container image through defineConformanceTests (Docker)',
  'repeat.test.ts': 'runs three suites five times over (--repeat), and a flaky server until it flakes',
  'targets-file.test.ts': 'runs the CLI over targets files: several targets, each a whole run, then the matrix',
  'client-target.test.ts': 'runs every client suite against the reference clients through the CLI',
  'cli-progress.test.ts': 'runs whole suites through the CLI to check its progress output',
  'peers.test.ts': 'runs the suites against real third-party servers (socat, Python, ncat), each started per case',
  'tls-peers.test.ts': "runs the TLS suites against socat's OpenSSL server",
  'chat-peers.test.ts': 'runs the chat-relay suite through the CLI against real relays, with each profile',
  'client-peers-probe.test.ts': 'runs common programs as echo clients against scripted servers, one process per probe',
  'tls-client-peers.test.ts': 'runs the TLS client suite against real TLS clients (openssl, curl, ...), a run per client',
  'udp-client-peers.test.ts': 'runs the UDP client suite against real programs, each waiting out retransmission timers',
  'client-timeouts-peers.test.ts': 'runs the client timeout suite against real programs, each waiting out its timeout',
  'client-backoff-peers.test.ts': 'runs the backoff suite against real programs, each waiting out its backoff delays',
  'isolation.test.ts': 'runs each suite whose cases share a server in its order and reversed, against the reference server and mutants',
  'lifecycle.test.ts': 'runs the lifecycle suite against correct servers and each mutant process, starting and stopping each',
  'ci-integration.test.ts': 'runs the CLI a dozen times over for baselines, retries, shards and their merge',
  'html-report.test.ts': 'opens the reports in a real browser (Chromium) and clicks through them',
  'flood.test.ts': 'floods connections and a whole run with data to hold the harness to its memory bounds',
  'idle-timeout.test.ts': 'runs the timeouts suite through the CLI, waiting out real idle timeouts',
  'steady-verdicts.test.ts': 'runs the timing cases against the reference and mutant servers with a CPU burner on every core, three rounds over, then the whole builtin run',
  'parallel-run.test.ts': 'runs the whole builtin run in parallel and serially through the CLI, and its shards',
  'network.test.ts': 'runs the network suites through the CLI in network namespaces (root, tc, nftables), loss cases included',
  'capacity-mutants.test.ts': "runs the capacity suite's must cases (thousands of connections, rates held for seconds) against the reference echo and each mutant, one after another",
  'capacity-chat-mutants.test.ts': "runs the capacity-chat suite's must case (a room of 100, 500 messages at 100 per second) against the reference chat server and each mutant",
  'capacity-chat-peers.test.ts': 'runs the capacity-chat suite through the CLI against ncat --chat: a room of 100 for seconds, and one of 1,000 that ncat refuses',
  'capacity-peers.test.ts': 'runs the capacity suite through the CLI against Python asyncio and threaded echoes and socat, ten thousand connections each where they hold them',
  'wire-tls.test.ts': 'captures TLS sessions and refusals and decodes their records with tshark and the key log (~2 s per decode), against mutants whose alert is wrong',
  'wire-capture.test.ts': 'runs echo cases with real packet captures, each wire check a tshark decode (~1 s), against a mutant that resets after a pause',
  'wire-tcp-capture.test.ts': 'sends 32 MiB to echo servers through a client that does not read, each wire check polling tshark decodes, and reads SYN-ACK options, against the reference and mutants',
  'capture.test.ts': 'runs the CLI with packet captures (tcpdump) and opens them in tshark, decrypted for TLS, and interrupts a capturing run',
};

const slowFiles = Object.keys(SLOW_PROOFS).map((file) => `<rootDir>/test/${file}`);

const typescriptTests = { rootDir: __dirname, transform: { '\\.ts$': '@swc/jest' }, testEnvironment: 'node' };

const config: Config.InitialOptions = {
  projects: [
    suiteProject(),
    { ...typescriptTests, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', ...slowFiles] },
    { ...typescriptTests, displayName: 'slow', testMatch: slowFiles },
  ],
  // What a test left running in jest's process is named after the last test (test/support/leftovers.js);
  // forceExit keeps one forgotten handle from holding a finished run open until CI's time runs out.
  globalTeardown: '<rootDir>/test/support/leftovers.js',
  forceExit: true,
  reporters: ['default', junitReporter({ outputDirectory: path.join(__dirname, 'reports'), outputName: 'project-tests.xml' })],
};

export default config;
