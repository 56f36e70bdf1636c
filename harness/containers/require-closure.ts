import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/** What a built entry file loads: the project's own files, and the packages it needs besides node's own. */
export interface RequireClosure {
  /** Absolute paths of the entry and every project file it requires, directly or not. */
  files: string[];
  /** Names of the npm packages those files require (node's builtins left out). */
  packages: string[];
}

// tsc's CommonJS output: `require("../certs/cache")`, also inside a compiled dynamic import().
const REQUIRE = /\brequire\((["'])([^"']+)\1\)/g;

/**
 * The files a compiled (CommonJS) entry loads when it runs, found by following its `require` calls
 * the way node would for relative paths. An image that carries exactly these cannot miss a module
 * that a refactor moved into a new file, as a hand-kept list of folders did.
 */
export function requireClosure(entry: string): RequireClosure {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, , request] of readFileSync(file, 'utf8').matchAll(REQUIRE)) {
      if (request.startsWith('.')) visit(resolveRelative(path.dirname(file), request, file));
      else if (!isBuiltin(request)) packages.add(packageName(request));
    }
  };
  visit(path.resolve(entry));
  return { files: [...files].sort(), packages: [...packages].sort() };
}

function resolveRelative(dir: string, request: string, from: string): string {
  const base = path.resolve(dir, request);
  const found = [base, `${base}.js`, path.join(base, 'index.js')].find((candidate) => candidate.endsWith('.js') && existsSync(candidate));
  if (!found) throw new Error(`${from} requires ${request}, which is not built: run npm run build`);
  return found;
}

function isBuiltin(request: string): boolean {
  return request.startsWith('node:') || builtinModules.includes(request);
}

/** `node-forge/lib/x` → `node-forge`; `@scope/pkg/x` → `@scope/pkg`. */
function packageName(request: string): string {
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
