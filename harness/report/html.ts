import { CHART_SCRIPT, CHART_STYLE, forPage } from './charts';
import { ELEMENT_HELPER, writeDataPage } from './page';
import type { ResultsFile } from './results-json';

/**
 * One self-contained HTML file (no network, no external files): the summary, every case grouped by
 * suite and reference with a filter, and for each failure its transcript as a message sequence
 * between the client lanes and the server; then the rules the cases cite, each with its cases'
 * verdicts, totals per level. A case that measured (a capacity case) shows its charts, open even
 * when it passed. The results are embedded as JSON and drawn by a small script, so the file stays
 * readable and the data is the same as results.json, but for long series, thinned for drawing.
 */
export function writeHtmlReport(dir: string, results: ResultsFile): string {
  const drawn = results.cases.map((c) => (c.measurements ? { ...c, measurements: forPage(c.measurements) } : c));
  return writeDataPage(dir, PAGE, { ...results, cases: drawn });
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sockspec report</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; }
  h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
  .meta { color: #57606a; margin-bottom: 1rem; }
  .totals span { display: inline-block; padding: .2rem .6rem; border-radius: 1rem; margin-right: .4rem; background: #eaeef2; }
  .totals .failed { background: #ffd8d3; } .totals .passed { background: #d2f4d3; }
  .controls { margin: 1rem 0; display: flex; gap: .4rem; align-items: center; }
  .controls button { border: 1px solid #d0d7de; background: #f6f8fa; border-radius: .4rem; padding: .3rem .7rem; cursor: pointer; }
  .controls button.active { background: #0969da; color: white; border-color: #0969da; }
  .controls input { flex: 1; max-width: 24rem; padding: .3rem .5rem; border: 1px solid #d0d7de; border-radius: .4rem; }
  section.suite > h2 { font-size: 1.1rem; margin: 1.2rem 0 .3rem; }
  h3.ref { font-size: .85rem; color: #57606a; margin: .6rem 0 .2rem; font-weight: 600; }
  .case { border: 1px solid #d0d7de; border-radius: .4rem; margin: .25rem 0; }
  .case > summary { padding: .35rem .6rem; cursor: pointer; display: flex; gap: .6rem; }
  .case .verdict { width: 4.5rem; font-weight: 600; }
  .v-pass .verdict { color: #1a7f37; } .v-fail .verdict { color: #cf222e; } .v-skip .verdict, .v-info .verdict { color: #9a6700; }
  .case .id { font-family: ui-monospace, monospace; }
  .case .level { color: #57606a; margin-left: auto; }
  .body { padding: .4rem .8rem .8rem; border-top: 1px solid #d0d7de; }
  pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: 12px; }
  .sequence { display: grid; grid-template-columns: 6rem 1fr 12rem 1fr; font: 12px ui-monospace, monospace; border: 1px solid #d0d7de; }
  .sequence > div { padding: .15rem .4rem; border-bottom: 1px solid #eaeef2; }
  .sequence .head { font-weight: 600; background: #f6f8fa; }
  .sequence .arrow { text-align: center; color: #0969da; }
  .sequence .to-server .arrow { color: #8250df; }
  .sequence .event-rst .arrow, .sequence .event-error .arrow { color: #cf222e; }
  .hidden { display: none; }
  nav.pages a { margin-right: .8rem; }
  #rules table { border-collapse: collapse; margin-top: .5rem; }
  #rules th, #rules td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
  #rules .rule-id { font-family: ui-monospace, monospace; white-space: nowrap; }
  #rules .rule-text { max-width: 40rem; color: #57606a; }
  .r-failed .rule-verdict { color: #cf222e; font-weight: 600; } .r-passed .rule-verdict { color: #1a7f37; } .r-not-run .rule-verdict { color: #9a6700; }
  .rule-cases a { display: inline-block; margin-right: .5rem; font-family: ui-monospace, monospace; }
  .rule-cases a.v-fail { color: #cf222e; } .rule-cases a.v-pass { color: #1a7f37; } .rule-cases a.v-skip, .rule-cases a.v-info { color: #9a6700; }
${CHART_STYLE}
</style>
</head>
<body>
<h1>sockspec report</h1>
<div class="meta" id="meta"></div>
<div class="totals" id="totals"></div>
<nav class="pages"><a href="#cases">Cases</a><a href="#rules">Rules</a></nav>
<div class="controls">
  <button data-filter="all" class="active">All</button>
  <button data-filter="fail">Failed</button>
  <button data-filter="pass">Passed</button>
  <button data-filter="skip">Skipped</button>
  <input id="search" type="search" placeholder="Filter by id, title or reference">
</div>
<main id="cases"></main>
<section id="rules">
  <h2>Rules</h2>
  <p>The rules the cases of this run cite (suites/rules): failed when a case citing it failed at its check, passed when a case citing it passed, not run when no case got as far as checking it.</p>
  <table class="level-totals"><thead><tr><th>level</th><th>rules</th><th>passed</th><th>failed</th><th>not run</th></tr></thead><tbody id="rule-totals"></tbody></table>
  <table class="rule-list"><thead><tr><th>rule</th><th>level</th><th>verdict</th><th>text</th><th>cases</th></tr></thead><tbody id="rule-rows"></tbody></table>
</section>
<script type="application/json" id="results">/*DATA*/null</script>
<script>
const results = JSON.parse(document.getElementById('results').textContent);
${ELEMENT_HELPER}
${CHART_SCRIPT}
const LABEL = { pass: 'passed', fail: 'FAILED', skip: 'skipped', info: 'info' };
document.getElementById('meta').textContent = 'target: ' + results.target + ' · finished ' + results.finishedAt + (results.seed === undefined ? '' : ' · seed ' + results.seed) + (results.strict ? ' · strict' : '') + (results.timeScale > 1 || results.timeScale < 1 ? ' · time scale × ' + results.timeScale : '') + (results.noTimeouts ? ' · no timeouts' : '');
const t = results.totals;
document.getElementById('totals').append(
  el('span', { class: 'passed' }, t.passed + ' passed'),
  el('span', { class: 'failed' }, t.failed + ' failed'),
  el('span', {}, t.tolerated + ' tolerated'),
  el('span', {}, t.skipped + ' skipped'),
  ...(t.errors ? [el('span', { class: 'failed' }, t.errors + ' stopped by a suite error')] : []),
);

function arrowFor(e) {
  switch (e.kind) {
    case 'sent': return ['to-server', e.bytes + ' B ─────▶'];
    case 'received': return ['to-client', '◀───── ' + e.bytes + ' B'];
    case 'fin-sent': return ['to-server', 'FIN ──▶'];
    case 'fin-received': return ['to-client', '◀── FIN'];
    case 'rst-sent': return ['to-server event-rst', 'RST ──▶'];
    case 'rst-received': return ['to-client event-rst', '◀── RST'];
    case 'connect': return ['to-server', 'SYN ──▶'];
    case 'connected': return ['to-client', '◀── connected'];
    case 'connect-failed': return ['to-client event-error', '✕ ' + (e.detail || '')];
    case 'error': return ['to-client event-error', '✕ ' + (e.detail || '')];
    case 'printed': return ['', ''];
    default: return ['', e.kind];
  }
}

// sockspec's side is on the left: the client, or in a client suite the server it plays.
function sequence(events, checksClient) {
  const [ours, theirs] = checksClient ? ['server (sockspec)', 'client under test'] : ['client', 'server'];
  const grid = el('div', { class: 'sequence' }, el('div', { class: 'head' }, 'ms'), el('div', { class: 'head' }, ours), el('div', { class: 'head' }), el('div', { class: 'head' }, theirs));
  for (const e of events) {
    const [direction, arrow] = arrowFor(e);
    const bytes = e.headHex ? ' ' + e.headHex.replace(/(..)/g, '$1 ').trim() + ((e.bytes || 0) * 2 > e.headHex.length ? ' …' : '') : '';
    const segments = e.segments > 1 ? ' (' + e.segments + ' segments)' : '';
    const clientText = e.conn + (e.kind === 'sent' || e.kind === 'connect' ? bytes + segments : '') + (e.kind === 'note' || e.kind === 'closed' ? ' ' + (e.detail || e.kind) : '');
    // What the process under test printed is in its own column: a client's stdout and stderr.
    const serverText = e.kind === 'received' ? bytes + segments : e.kind === 'printed' ? (e.bytes !== undefined ? e.bytes + ' B ' + e.detail + bytes : e.detail) : '';
    for (const cell of [el('div', {}, e.at.toFixed(1)), el('div', {}, clientText), el('div', { class: 'arrow' }, arrow), el('div', {}, serverText)]) {
      cell.classList.add('row');
      if (direction) direction.split(' ').forEach((c) => cell.classList.add(c));
      grid.append(cell);
    }
  }
  return grid;
}

// A failed case's packets, in the timeline's lanes: what the wire carried between the two sides.
// The capture's client is the side that sent the SYN: sockspec's, unless the case checks a client.
function packetLane(packets, checksClient) {
  const [ours, theirs] = checksClient ? ['server (sockspec)', 'client under test'] : ['client', 'server'];
  const grid = el('div', { class: 'sequence packets' }, el('div', { class: 'head' }, 'ms'), el('div', { class: 'head' }, ours), el('div', { class: 'head' }, 'packet'), el('div', { class: 'head' }, theirs));
  for (const p of packets) {
    const fromOurs = (p.from === 'client') !== checksClient;
    const label = p.flags + (p.len ? ' ' + p.len + ' B' : '') + ' seq ' + p.seq + ' ack ' + p.ack;
    const classes = [fromOurs ? 'to-server' : 'to-client', ...(p.flags.includes('R') ? ['event-rst'] : [])];
    const cells = [el('div', {}, p.at.toFixed(1)), el('div', {}, fromOurs ? p.conn : ''), el('div', { class: 'arrow' }, fromOurs ? label + ' ──▶' : '◀── ' + label), el('div', {}, fromOurs ? '' : p.conn)];
    for (const cell of cells) {
      cell.classList.add('row', ...classes);
      grid.append(cell);
    }
  }
  return grid;
}

// A kept packet capture (--capture): links to download it, and its TLS key log.
function captureLinks(files) {
  const links = el('p', { class: 'capture' }, 'packet capture: ', el('a', { href: files.pcap, download: '' }, files.pcap));
  if (files.keys) links.append(' · TLS key log: ', el('a', { href: files.keys, download: '' }, files.keys));
  return links;
}

function caseNode(c) {
  const node = el('details', { id: c.id, class: 'case v-' + c.verdict, 'data-verdict': c.verdict === 'info' ? 'pass' : c.verdict, 'data-text': (c.id + ' ' + c.title + ' ' + c.ref).toLowerCase() });
  node.append(el('summary', {}, el('span', { class: 'verdict' }, LABEL[c.verdict]), el('span', { class: 'id' }, c.id), el('span', {}, c.title), el('span', { class: 'level' }, c.level + (c.runs ? ' · passed ' + c.passed + ' of ' + c.runs + ' runs' + (c.flaky ? ' (flaky)' : '') : '') + ' · ' + c.durationMs + ' ms')));
  const body = el('div', { class: 'body' });
  if (c.reason) body.append(el('p', {}, 'skipped: ' + c.reason));
  for (const note of c.notes) body.append(el('p', {}, 'note: ' + note));
  if (c.message) body.append(el('pre', { class: 'message' }, c.message));
  if (c.transcript && c.transcript.length) body.append(el('h4', {}, 'transcript'), sequence(c.transcript, c.peer === 'client'));
  if (c.packets) body.append(el('h4', {}, 'packets (from the capture)'), packetLane(c.packets, c.peer === 'client'));
  if (c.capture) body.append(captureLinks(c.capture));
  if (c.serverOutput) body.append(el('h4', {}, 'server output while the case ran'), el('pre', { class: 'server-output' }, c.serverOutput.join('\\n')));
  if (c.measurements && c.measurements.length) body.append(measurementsNode(c.measurements));
  if (!body.childNodes.length) body.append(el('p', {}, 'ref: ' + c.ref));
  node.append(body);
  // What a capacity case measured is the point of running it, passed or not.
  if (c.verdict === 'fail' || (c.measurements && c.measurements.length)) node.open = true;
  return node;
}

const main = document.getElementById('cases');
const suites = [...new Set(results.cases.map((c) => c.suite))];
for (const suite of suites) {
  const section = el('section', { class: 'suite' }, el('h2', {}, suite));
  const cases = results.cases.filter((c) => c.suite === suite);
  for (const ref of [...new Set(cases.map((c) => c.ref))]) {
    section.append(el('h3', { class: 'ref' }, ref));
    for (const c of cases.filter((x) => x.ref === ref)) section.append(caseNode(c));
  }
  main.append(section);
}

// The rules: results.json's list, each rule's cases linked to their entries above.
const rules = results.rules || [];
const verdictOf = Object.fromEntries(results.cases.map((c) => [c.id, c.verdict]));
const RULE_VERDICTS = ['passed', 'failed', 'not run'];
for (const level of ['must', 'should', 'may']) {
  const of = rules.filter((r) => r.level === level);
  if (!of.length) continue;
  const cells = [level, String(of.length), ...RULE_VERDICTS.map((v) => String(of.filter((r) => r.verdict === v).length))];
  document.getElementById('rule-totals').append(el('tr', { class: 'level-' + level }, ...cells.map((text) => el('td', {}, text))));
}
for (const r of rules) {
  const links = el('td', { class: 'rule-cases' }, ...r.cases.map((id) => el('a', { href: '#' + encodeURIComponent(id), class: 'v-' + (verdictOf[id] || 'skip'), title: LABEL[verdictOf[id]] || 'not run' }, id + ' ' + (LABEL[verdictOf[id]] || 'not run'))));
  document.getElementById('rule-rows').append(
    el('tr', { id: 'rule-' + r.id, class: 'rule-row level-' + r.level + ' r-' + r.verdict.replace(' ', '-') }, el('td', { class: 'rule-id' }, r.id), el('td', {}, r.level), el('td', { class: 'rule-verdict' }, r.verdict), el('td', { class: 'rule-text' }, r.text), links),
  );
}
if (!rules.length) document.getElementById('rules').append(el('p', {}, 'No case of this run cites a rule.'));

let verdictFilter = 'all';
function applyFilter() {
  const text = document.getElementById('search').value.toLowerCase();
  for (const node of document.querySelectorAll('.case')) {
    const show = (verdictFilter === 'all' || node.dataset.verdict === verdictFilter) && node.dataset.text.includes(text);
    node.classList.toggle('hidden', !show);
  }
  for (const section of document.querySelectorAll('section.suite')) {
    section.classList.toggle('hidden', !section.querySelector('.case:not(.hidden)'));
  }
}
for (const button of document.querySelectorAll('.controls button')) {
  button.addEventListener('click', () => {
    verdictFilter = button.dataset.filter;
    document.querySelectorAll('.controls button').forEach((b) => b.classList.toggle('active', b === button));
    applyFilter();
  });
}
document.getElementById('search').addEventListener('input', applyFilter);
// A link from a matrix cell or a rule (index.html#suite/case) opens that case.
function openLinked() {
  const linked = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (linked && linked.tagName === 'DETAILS') {
    linked.open = true;
    linked.scrollIntoView();
  }
}
openLinked();
window.addEventListener('hashchange', openLinked);
</script>
</body>
</html>
`;
