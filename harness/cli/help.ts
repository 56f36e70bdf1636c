import { REFERENCE_SERVERS } from '../servers/catalog';
import { SERVICES } from '../servers/serve-main';
import { targetKindsHelp } from '../targets/registry';

export const MAIN_HELP = `sockspec: conformance suites for TCP, UDP and TLS servers

Usage:
  sockspec run    [options]            run suites against a target, write reports
  sockspec list   [--suite NAME|FILE]  list suites and their cases with references
  sockspec coverage [--suite NAME|FILE]
                                       each rule the suites check, and the cases citing it
  sockspec serve  SERVICE [--port N]   run a reference server in the foreground
  sockspec schema [suite|targets]      print the JSON Schema of suite files or targets files
  sockspec certs  --out DIR            write the run's TLS certificates (PEM) for your server
  sockspec merge  --out DIR SHARD...   merge the reports of runs split with --shard

  sockspec COMMAND --help              options of one command
  sockspec --version, -v

Exit codes: 0 all required cases passed, 1 a required case failed (a must; a should with
--strict), 2 usage, suite or target error, 130 interrupted (the reports then hold the cases that
ended before).

Colours on a terminal only; NO_COLOR turns them off, FORCE_COLOR on.`;

/** A function: target kinds registered at run time are listed too. */
export const runHelp = (): string => `Usage: sockspec run [options]

Runs suites (default: every bundled suite) against a target (default: the builtin reference
servers) and writes JUnit XML to REPORTS/junit.xml.

Suites:
  --suite NAME|FILE    a bundled suite by name (echo-tcp) or a suite file; repeatable
  --filter REGEX       only the cases whose "suite case-id: title" matches

Target (one of):
${targetKindsHelp()}

With --image:
  --port N             the port the server listens on inside the container, for TCP suites
  --udp-port N         the same for UDP suites
  --env NAME=VALUE     an environment variable for the container; repeatable
  --ready-log REGEX    the line the server prints once it serves (default: none; the
                       container is ready once its ports listen in its network namespace)
  --start-timeout MS   how long it may take to be ready (default 30000)

With --cmd:
  --host ADDRESS       where the server is reached (default: 127.0.0.1 or ::1, whichever it
                       listens on; it is ready as soon as it listens on one of them)
  --ready-log REGEX    the line that says the server is ready
  --start-timeout MS   how long it may take to be ready (default 10000)

TLS targets declare (cases needing what is not declared are skipped, with the reason):
  --ca FILE            the CA that signed the server's certificate (default: the run's own CA,
                       the one {cert} is signed by; see sockspec certs)
  --servername NAME    the name to verify the certificate against (default localhost)
  --alt-servername N   a second name the server has its own certificate for (SNI cases)
  --alpn P1,P2         the ALPN protocols the server supports (ALPN case)

Several targets, or one described in a file (docs/targets.md):
  --targets FILE       a targets file (YAML): each target's flags, suites and baseline. With
                       several targets, each runs in turn (reports in REPORTS/NAME/) and a case x
                       target matrix is printed and written (REPORTS/index.html, matrix.json,
                       junit.xml); the target flags above go in the file instead
  --only NAME          with --targets: run only that target

Any started or given target declares (the builtin servers declare their own):
  --idle-timeout T     it closes a connection idle for T (e.g. 30s, 1500ms): the timeouts
                       suite's idle-timeout and peer-vanishes cases (docs/lifecycle.md)
  --declare-capacity NAME=VALUE[,NAME=VALUE]
                       what it carries under load, checked by the capacity suite's must
                       cases: connections=5000, rate=2000 (connections per second),
                       throughput=100MiB (per second), p99=20ms, and the capacity-chat
                       suite's fanout-p99=200ms; repeatable; the builtin servers take it
                       too (docs/capacity.md)
  --profile NAME|FILE  the chat profile of the chat-relay and capacity-chat suites: the line
                       formats of the relay, a name in suites/profiles/ (sockspec-chat, the
                       default; ncat-chat) or a profile file; SOCKSPEC_PROFILE when not given
                       (docs/chat-suite.md)

Verdicts and reports:
  --strict             a failed "should" case fails the run too (otherwise it is reported as
                       tolerated, and the run passes)
  --step-timeout MS    the deadline of every step that sets none of its own (e.g. for slow
                       machines); a step's own timeout still applies
  --time-scale F       multiply every deadline, wait and tolerance by F (above 0, at most 100,
                       e.g. 3 for a slow or loaded machine; SOCKSPEC_TIME_SCALE when not given),
                       but not the durations a rule is about (a declared idle timeout or
                       --client-timeout, a backoff policy, a sleep); the reports state it
  --no-timeouts        no step or case deadline at all, for stepping through a case in a
                       debugger: a case ends when its steps end (Ctrl-C still stops the run)
  --retries N          run a failed case again up to N times; a pass after a failure is
                       reported as flaky (JUnit flakyFailure), not as a plain pass
  --repeat N           run every case N times (1 to 100) and report its pass rate; a case
                       with mixed results is flaky, and a failed run of a must case fails
                       the run (not with --retries)
  --seed N             the seed of the cases' random choices (0 to 4294967295; default: a
                       random one, printed at the start and with every failure): the same
                       seed replays a run exactly
  --baseline FILE      accept the failures the baseline lists: only a regression (a case
                       expected to pass that fails) fails the run; cases that start passing
                       are reported
  --update-baseline    with --baseline: write this run's verdicts to FILE (reasons kept)
  --fail-on-unexpected-pass
                       with --baseline: a case the baseline expects to fail that passes
                       fails the run too
  --transcripts        keep every case's transcript in the reports, not only failures'
  --reports DIR        where junit.xml, results.json and index.html go (default ./reports)
  --capture [MODE]     capture each case's packets with tcpdump (needs root) and keep them,
                       with the TLS key log, under DIR/captures/SUITE/CASE.pcap: failed (the
                       default MODE) keeps failed cases', all every case's, off none. Default:
                       failed in CI (CI=true) when the machine can capture, else off
  --shard I/N          run the I-th of N parts of the suite files (jest's --shard), e.g. one
                       per CI machine; join the parts' reports with sockspec merge
  --workers N          how many suite files run side by side (default: the machine's cores);
                       cases that declare "alone" run afterwards, one at a time. 1 runs
                       every case one after another, in the suites' order. A target the CLI
                       starts (--cmd, --image, an address) is always run one case at a time

Examples:
  sockspec run --suite echo-tcp --cmd "python3 my_server.py {port}"
  sockspec run --suite echo-tcp --image my-echo:1.2 --port 7 --env LOG_LEVEL=debug
  sockspec run --suite echo-client --client "python3 my_client.py {host} {port}"
  sockspec run --suite tls-client --client "python3 my_tls_client.py {host} {port} {ca} {servername} {cert} {key}"
  sockspec run --suite client-timeouts --client "curl -sS --max-time {timeout} telnet://{host}:{port}" --client-timeout 2s
  sockspec run --targets sockspec.targets.yaml --suite echo-tcp`;

export const SCHEMA_HELP = `Usage: sockspec schema [suite|targets|config]

Prints the JSON Schema of suite files (suite, the default), of targets files (targets) or of a
project's sockspec.config.json (config), for editors and validators; the package ships them in
schema/.`;

export const CERTS_HELP = `Usage: sockspec certs --out DIR

Writes the run's certificate set as PEM files: the server certificate and key (localhost,
127.0.0.1, ::1), the CA that signs them and the client certificates, and the variants the TLS
cases use. Point your TLS server at them, or pass {cert}, {key} and {ca} in --cmd.`;

export const MERGE_HELP = `Usage: sockspec merge --out DIR SHARD_REPORTS...

Joins the --reports folders of runs split with --shard I/N into one junit.xml, results.json
and index.html in DIR, with the shards' kept captures in DIR/captures. Totals are recomputed;
the exit code of the run is each shard's.`;

export const LIST_HELP = `Usage: sockspec list [--suite NAME|FILE ...]

Lists suites and their cases: id, level, reference, title.`;

export const COVERAGE_HELP = `Usage: sockspec coverage [--suite NAME|FILE ...]

Lists the rules of the requirements catalogues (suites/rules/*.rules.yaml) for the suites'
services: each rule's id, level (must, should, may) and the cases citing it, or why no check from
the wire can tell (unobservable); then totals per level and the MUST rules no case checks. Default:
every bundled suite. Which mutants prove each case catches its rules' breach is in docs/rules.md.`;

export const SERVE_HELP = `Usage: sockspec serve SERVICE [--port N] [--host ADDRESS] [--certificates FILE] [--no-idle-timeout]

Runs a reference server until interrupted. SERVICE is one of:
${serviceList()}

The default host is 127.0.0.1 and the default port 0 (the kernel picks one; it is printed).
--certificates FILE gives the TLS services a certificate set to serve with (JSON, as sockspec's
certificate cache stores it). It becomes the cached set, so later runs on this machine trust it;
a file that is not a usable set is refused and leaves the cache alone.
--no-idle-timeout keeps idle connections open (the TCP echo otherwise closes them after 2 s).`;

function serviceList(): string {
  const width = Math.max(...SERVICES.map((name) => name.length));
  return SERVICES.map((name) => `  ${name.padEnd(width)}  ${REFERENCE_SERVERS[name].description}`).join('\n');
}
