import path from 'node:path';

const RUNTIME = path.join(__dirname, 'suite-runtime');

/**
 * The jest transform for suite files: a suite becomes a module that defines its tests. The file is
 * read again by the runtime (with positions kept for error messages), so the output depends only
 * on the file's path.
 */
const transformer = {
  process(_source: string, filename: string): { code: string } {
    return { code: `require(${JSON.stringify(RUNTIME)}).defineSuiteTests(${JSON.stringify(filename)});\n` };
  },
};

export = transformer;
