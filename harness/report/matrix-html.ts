import type { MatrixFile } from './matrix';
import { writeDataPage } from './page';

/**
 * index.html of a matrix run: one table of case × target (the matrix.json data, embedded), each
 * cell linking to that case in the target's own report, with filters for failures and differences.
 */
export function writeMatrixHtml(dir: string, matrix: MatrixFile): string {
  return writeDataPage(dir, PAGE, matrix);
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
<table id="matrix"></table>
<div id="errors"></div>
<script type="application/json" id="matrix-data">/*DATA*/null</script>
<script>
const matrix = JSON.parse(document.getElementById('matrix-data').textContent);
const SHOWN = { pass: 'pass', fail: 'FAIL', tolerated: 'fail~', skip: 'skip', info: 'info', 'not run': '–' };
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === 'class' ? (node.className = v) : node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
};
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
