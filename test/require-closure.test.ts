import path from 'node:path';
import { requireClosure } from '../harness/containers/require-closure';
import { ROOT, tempTree } from './support/cli';

const DIST = path.join(ROOT, 'dist', 'harness');


describe('the files a built entry loads (what the reference image carries)', () => {
  test('serve-main.js loads the servers, the certificates and the private-folder check, node-forge and nothing of the CLI', () => {
    const { files, packages } = requireClosure(path.join(DIST, 'servers', 'serve-main.js'));
    const relative = files.map((file) => path.relative(DIST, file));
    // private-folder.js is the module the hand-kept list of folders missed.
    expect(relative).toEqual(expect.arrayContaining(['servers/serve-main.js', 'servers/serve.js', 'certs/cache.js', 'private-folder.js']));
    expect(relative.filter((file) => /^(cli|jest|report|run|suite|steps|net|targets|containers)\//.test(file))).toEqual([]);
    expect(packages).toEqual(['node-forge']);
  });

  test('follows relative requires, dynamic ones and folder indexes; names packages, scoped ones whole; leaves node builtins out', () => {
    const dir = tempTree({
      'main.js': 'const a = require("./a");\nconst fs = require("node:fs");\nconst os = require("os");\nrequire("@scope/pkg/deep");\n',
      'a.js': "Promise.resolve().then(() => require('./lib'));\nrequire(\"node-forge/lib/pki\");\n",
      'lib/index.js': 'require("../a");\n',
      'unused.js': '',
    });
    try {
      const { files, packages } = requireClosure(path.join(dir.path, 'main.js'));
      expect(files.map((file) => path.relative(dir.path, file))).toEqual(['a.js', 'lib/index.js', 'main.js']);
      expect(packages).toEqual(['@scope/pkg', 'node-forge']);
    } finally {
      dir.remove();
    }
  });

  test('a require of a file that is not built says which file asked for it', () => {
    const dir = tempTree({ 'main.js': 'require("./gone");\n' });
    try {
      expect(() => requireClosure(path.join(dir.path, 'main.js'))).toThrow(/main\.js requires \.\/gone, which is not built: run npm run build/);
    } finally {
      dir.remove();
    }
  });
});
