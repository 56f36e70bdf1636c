import { CHART_SCRIPT, CHART_STYLE, forPage } from './charts';
import type { MatrixFile } from './matrix';
import { ELEMENT_HELPER, writeDataPage } from './page';

/**
 * index.html of a matrix run: one table of case × target (the matrix.json data, embedded), each
 * cell linking to that case in the target's own report, with filters for failures and differences.
 * When cases measured (capacity), a table above compares the targets: a row each, with the
 * headline numbers and a small chart per measurement (series thinned for drawing, as in index.html).
 */
export function writeMatrixHtml(dir: string, matrix: MatrixFile): string {
  const rows = matrix.rows.map((row) => (row.measurements ? { ...row, measurements: row.measurements.map((m) => m && forPage(m)) } : row));
  return writeDataPage(dir, PAGE, { ...matrix, rows });
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sockspec matrix</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; }
  h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
  .meta { color: #57606a; margin-bottom: 1rem; }
  .controls { margin: 1rem 0; display: flex; gap: 1rem; align-items: center; }
  .controls input[type=search] { width: 20rem; padding: .3rem .5rem; border: 1px solid #d0d7de; border-radius: .4rem; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #d0d7de; padding: .2rem .6rem; text-align: left; }
  thead th { position: sticky; top: 0; background: #f6f8fa; }
  th.suite { background: #eaeef2; font-size: 1rem; }
  td.id { font-family: ui-monospace, monospace; }
  td.cell { text-align: center; font-weight: 600; }
  td.cell a { color: inherit; text-decoration: none; display: block; }
  .c-pass { background: #d2f4d3; color: #1a7f37; } .c-fail { background: #ffd8d3; color: #cf222e; }
  .c-tolerated { background: #fff1c2; color: #9a6700; } .c-skip, .c-info { background: #f6f8fa; color: #57606a; }
  .c-not-run { color: #8c959f; }
  tfoot td { font-weight: 600; }
  .error { color: #cf222e; white-space: pre; font: 12px ui-monospace, monospace; }
  .hidden { display: none; }
  #capacity { margin-bottom: 1.5rem; }
  #capacity td { vertical-align: top; }
  #capacity .entry { display: grid; grid-template-columns: 120px auto; gap: 0 .5rem; align-items: center; margin: .15rem 0; }
  #capacity .entry a { grid-column: 1 / 3; font-size: 11px; color: #57606a; }
  #capacity .headline { font-weight: 600; min-width: 7rem; max-width: 14rem; font-variant-numeric: tabular-nums; }
${CHART_STYLE}
</style>
</head>
<body>
<h1>sockspec matrix</h1>
<div class="meta" id="meta"></div>
<div class="controls">
  <label><input type="checkbox" id="differing"> only cases that differ between targets</label>
  <label><input type="checkbox" id="failing"> only cases that fail somewhere</label>
  <input id="search" type="search" placeholder="Filter by id, title or reference">
</div>
<section id="capacity" class="hidden">
  <h2>Capacity</h2>
  <table id="capacity-table"></table>
</section>
<table id="matrix"></table>
<div id="errors"></div>
<script type="application/json" id="matrix-data">/*DATA*/null</script>
<script>
const matrix = JSON.parse(document.getElementById('matrix-data').textContent);
const SHOWN = { pass: 'pass', fail: 'FAIL', tolerated: 'fail~', skip: 'skip', info: 'info', 'not run': '–' };
${ELEMENT_HELPER}
${CHART_SCRIPT}
document.getElementById('meta').textContent = matrix.rows.length + ' cases on ' + matrix.targets.length + ' targets · finished ' + matrix.finishedAt;
const table = document.getElementById('matrix');
const head = el('tr', {}, el('th', {}, 'case'));
for (const t of matrix.targets) head.append(el('th', { title: t.target || '' }, el('a', { href: t.reports + '/index.html' }, t.name)));
table.append(el('thead', {}, head));
const body = el('tbody');
let suite;
for (const row of matrix.rows) {
  const rowSuite = row.id.split('/')[0];
  if (rowSuite !== suite) {
    suite = rowSuite;
    body.append(el('tr', { class: 'suite-row', 'data-suite': suite }, el('th', { class: 'suite', colspan: String(matrix.targets.length + 1) }, suite)));
  }
  const ran = row.cells.filter((c) => c !== 'not run');
  const tr = el('tr', {
    class: 'case-row',
    'data-suite': suite,
    'data-differs': String(new Set(ran).size > 1),
    'data-fails': String(row.cells.includes('fail')),
    'data-text': (row.id + ' ' + row.title + ' ' + row.ref).toLowerCase(),
  }, el('td', { class: 'id', title: row.title + ' (' + row.ref + ', ' + row.level + ')' }, row.id));
  row.cells.forEach((cell, i) => {
    const text = SHOWN[cell];
    const content = cell === 'not run' ? text : el('a', { href: matrix.targets[i].reports + '/index.html#' + encodeURIComponent(row.id) }, text);
    tr.append(el('td', { class: 'cell c-' + cell.replace(' ', '-') }, content));
  });
  body.append(tr);
}
table.append(body);
const foot = el('tfoot');
for (const [label, cell] of [['passed', 'pass'], ['failed', 'fail'], ['tolerated', 'tolerated'], ['skipped', 'skip']]) {
  const tr = el('tr', {}, el('td', {}, label));
  matrix.targets.forEach((_t, i) => tr.append(el('td', { class: 'cell' }, String(matrix.rows.filter((r) => r.cells[i] === cell).length))));
  foot.append(tr);
}
table.append(foot);
for (const t of matrix.targets.filter((t) => t.error)) {
  document.getElementById('errors').append(el('h3', {}, t.name + ': no results (exit code ' + t.exitCode + ')'), el('div', { class: 'error' }, t.error.join('\\n')));
}
// Capacity: a row per target, a column per kind of measurement, each cell the target's measurements
// of that kind (one per case) as a headline number and a sparkline, linked to the case.
const KINDS = [['ramp', 'connections held'], ['rate', 'connection rate'], ['throughput', 'throughput'], ['latency', 'latency p99']];
const measured = matrix.rows.filter((row) => row.measurements);
const kinds = KINDS.filter(([kind]) => measured.some((row) => row.measurements.some((ms) => ms && ms.some((m) => m.kind === kind))));
if (kinds.length) {
  const capacity = document.getElementById('capacity-table');
  capacity.append(el('thead', {}, el('tr', {}, el('th', {}, 'target'), ...kinds.map(([, title]) => el('th', {}, title)))));
  const rows = matrix.targets.map((t, i) => {
    const cells = kinds.map(([kind]) => {
      const entries = measured.flatMap((row) => (row.measurements[i] || []).filter((m) => m.kind === kind).map((m) => {
        // The same measurement on every target: its sparklines share one scale.
        const peers = row.measurements.flatMap((ms) => (ms || []).filter((p) => p.kind === m.kind && p.label === m.label));
        return el('div', { class: 'entry' }, el('a', { href: t.reports + '/index.html#' + encodeURIComponent(row.id), title: row.id }, m.label), sparkline(m, peers), el('span', { class: 'headline' }, headline(m)));
      }));
      return el('td', { class: 'k-' + kind }, ...(entries.length ? entries : ['–']));
    });
    return el('tr', { class: 'capacity-row' }, el('th', {}, el('a', { href: t.reports + '/index.html' }, t.name)), ...cells);
  });
  capacity.append(el('tbody', {}, ...rows));
  document.getElementById('capacity').classList.remove('hidden');
}
function applyFilter() {
  const differing = document.getElementById('differing').checked;
  const failing = document.getElementById('failing').checked;
  const text = document.getElementById('search').value.toLowerCase();
  for (const tr of document.querySelectorAll('tr.case-row')) {
    const show = (!differing || tr.dataset.differs === 'true') && (!failing || tr.dataset.fails === 'true') && tr.dataset.text.includes(text);
    tr.classList.toggle('hidden', !show);
  }
  for (const tr of document.querySelectorAll('tr.suite-row')) {
    tr.classList.toggle('hidden', !document.querySelector('tr.case-row[data-suite="' + tr.dataset.suite + '"]:not(.hidden)'));
  }
}
for (const id of ['differing', 'failing']) document.getElementById(id).addEventListener('change', applyFilter);
document.getElementById('search').addEventListener('input', applyFilter);
</script>
</body>
</html>
`;
