/**
 * The house rules of testloom's structure (docs/architecture.md): no cycles, layers that only point
 * down, workflow code that stays deterministic. `npm run lint` checks them; zero violations allowed.
 */

/** Bottom to top. A module may import its own layer's folders and every layer below, never above. */
const LAYERS = [
  ['lib/core'],
  ['schema', 'lib/config', 'lib/json-schema', 'lib/net', 'lib/process', 'lib/observability'],
  ['lib/db', 'lib/temporal', 'lib/embeddings', 'lib/templates', 'lib/llm', 'lib/repohost'],
  ['lib/openapi', 'lib/issues', 'lib/retrieval'],
  // One adapter per test framework (rendering, gate, runner, test-source editing): generation and execution use it.
  ['lib/frameworks'],
  ['lib/generation'],
  ['lib/execution'],
  ['lib/runs', 'lib/webhooks', 'lib/monitoring'],
  ['lib/services.ts'],
  ['activities', 'workflows'],
  ['workers'],
  // The MCP server: talks to testloom through its HTTP API only; api/ mounts it at /mcp, cli/ serves it over stdio.
  ['mcp'],
  ['api'],
  ['infra', 'cli', 'bench'],
];

const folder = (path) => `^${path.replace(/\./g, '\\.')}(/|$)`;
const either = (paths) => `(${paths.map(folder).join('|')})`;

const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${index}-points-down`,
  comment: `${layer.join(', ')} may not import anything of a higher layer`,
  severity: 'error',
  from: { path: either(layer) },
  to: { path: either(LAYERS.slice(index + 1).flat()) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other, directly or through others, cannot be understood or tested apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workflows-stay-deterministic',
      comment: 'Workflow code runs in Temporal\'s sandbox and is replayed: it may import the workflow SDK, other workflow modules and lib/core only (and the activities\' types, for proxyActivities).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { pathNot: ['^workflows/', '^lib/core/', '^node_modules/@temporalio/(workflow|common)/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-has-no-dependencies',
      comment: 'lib/core is shared vocabulary: types and pure functions over them.',
      severity: 'error',
      from: { path: '^lib/core/' },
      to: { pathNot: ['^lib/core/', '^node_modules/@temporalio/(common|workflow)/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'no-test-code-in-sources',
      comment: 'Benchmarks may reuse the test harness; nothing that ships may.',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^test/' },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
