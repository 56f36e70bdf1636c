import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes DIR/index.html from a page template whose script reads its data from the JSON placed at
 * `/*DATA*\/null`: one self-contained file, no network, the same data as the JSON reports. A `<`
 * in the data is escaped so that no text in a transcript can close the script element.
 */
export function writeDataPage(dir: string, template: string, data: unknown): string {
  const file = path.join(dir, 'index.html');
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  writeFileSync(file, template.replace('/*DATA*/null', () => json));
  return file;
}

/** The pages' script helper: `el('td', { class: 'x' }, child, 'text')` makes an element. */
export const ELEMENT_HELPER = `const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === 'class' ? (node.className = v) : node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
};`;
