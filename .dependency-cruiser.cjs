/**
 * The layers of harness/, top to bottom (docs/architecture.md). A module may import from its own
 * layer and from the layers below it, never from one above; and no import circle, type imports
 * included. test/layers.test.ts runs this on every `npm test`.
 */
const LAYERS = [
  { name: 'cli', folders: ['cli', 'api.ts'] },
  { name: 'jest', folders: ['jest'] },
  { name: 'report', folders: ['report'] },
  { name: 'run', folders: ['run'] },
  { name: 'suite', folders: ['suite'] },
  { name: 'steps', folders: ['steps'] },
  { name: 'resources', folders: ['net', 'targets', 'faults', 'netns', 'servers', 'containers', 'verdict', 'load', 'capture'] },
  { name: 'certs', folders: ['certs'] },
  { name: 'base', folders: ['vocabulary', 'package-paths.ts', 'private-folder.ts'] },
];

/** A regex matching the modules of the given folders (or single files) of harness/. */
const paths = (folders) => `^harness/(${folders.map((f) => f.replace(/\./g, '\\.')).join('|')})($|/)`;

const backwards = LAYERS.slice(1).map((layer, i) => ({
  name: `${layer.name}-imports-upwards`,
  comment: `${layer.name} is below ${LAYERS.slice(0, i + 1).map((l) => l.name).join(', ')}: it must not import from them`,
  severity: 'error',
  from: { path: paths(layer.folders) },
  to: { path: paths(LAYERS.slice(0, i + 1).flatMap((l) => l.folders)) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import circle: every module in it depends on all the others; break it by moving what they share down a layer',
      severity: 'error',
      from: { path: '^harness/' },
      to: { circular: true },
    },
    {
      name: 'not-in-a-layer',
      comment: 'every folder of harness/ belongs to a layer: add it to LAYERS in .dependency-cruiser.cjs and to docs/architecture.md',
      severity: 'error',
      from: { path: '^harness/', pathNot: paths(LAYERS.flatMap((l) => l.folders)) },
      to: {},
    },
    ...backwards,
  ],
  options: {
    includeOnly: '^harness/',
    // `import type` counts: a circle through types is still a circle for the reader.
    tsPreCompilationDeps: true,
  },
};
