// Lint: typescript-eslint's recommended set, plus the architecture as rules (docs/ARCHITECTURE.md):
// - src/ is pure numerics: no rxjs, apache-arrow, Parquet, node:* or console;
// - src/ is layered, each layer importing only from layers below it:
//     base (errors, matrix, format-bytes) < kernels < random < linalg < maps | synthetic < sketch
//     < multipass < plan < the faces (src/index.ts, src/internals.ts);
// - streams/ imports src/ only through its faces; src/ never imports streams/, bench/ or test/;
// - streams/ has rings: only streams/cli imports streams/cli; sources and sinks never import each
//   other (nor operators or models), wrappers compose sources only;
// - no import cycles anywhere in src/ and streams/.
// test/lint-architecture.test.ts runs this config on probes that break each rule.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const ioModules = [
  'rxjs', 'rxjs/*', 'apache-arrow', 'apache-arrow/*', 'hyparquet', 'hyparquet-*', 'parquetjs-lite',
  'parquet-wasm', 'parquet-wasm/*', 'node:*', 'fs', 'fs/*', 'path', 'os', 'net', 'child_process',
  'worker_threads', 'stream', 'stream/*', 'url', 'v8', 'crypto',
];

/** The layers of src/, lowest first; a layer may import from the layers before it only. */
const SRC_LAYERS = [
  ['./src/errors.ts', './src/matrix.ts', './src/format-bytes.ts'],
  ['./src/kernels'],
  ['./src/random'],
  ['./src/linalg'],
  ['./src/maps', './src/synthetic'],
  ['./src/sketch'],
  ['./src/multipass'],
  ['./src/plan'],
  ['./src/index.ts'],
  ['./src/internals.ts'],
];

const srcZones = SRC_LAYERS.flatMap((layer, i) => layer.map((target) => ({
  target,
  // Everything above, and the other members of the same layer (maps and synthetic are independent).
  from: [...SRC_LAYERS.slice(i + 1).flat(), ...layer.filter((x) => x !== target)],
  message: `layer rule (docs/ARCHITECTURE.md): ${target.replace('./', '')} may import only from the layers below it`,
}))).filter((zone) => zone.from.length > 0);

/**
 * The rings of streams/ (docs/ARCHITECTURE.md): the CLI is the top and nothing below imports it;
 * sources decode and sinks write, independently of each other; sources, sinks and wrappers know
 * nothing of the RxJS operators or the model readers built on them.
 */
const streamsZones = [
  {
    target: ['./streams/*.ts', './streams/sources', './streams/sinks', './streams/wrappers', './streams/operators', './streams/models', './streams/tools'],
    from: './streams/cli',
    message: 'ring rule (docs/ARCHITECTURE.md): only streams/cli imports streams/cli',
  },
  { target: './streams/sources', from: ['./streams/sinks', './streams/operators', './streams/models'], message: 'ring rule: a source only decodes (no sinks, operators or models)' },
  { target: './streams/sinks', from: ['./streams/sources', './streams/operators', './streams/models'], message: 'ring rule: a sink only writes (no sources, operators or models)' },
  { target: './streams/wrappers', from: ['./streams/sinks', './streams/operators', './streams/models'], message: 'ring rule: wrappers compose sources (no sinks, operators or models)' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'build/**', 'assembly/**', 'bench/out/**', 'src/kernels/wasm-bytes.generated.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Every random draw is seeded: use src/random.' }],
      // One habit (docs/STYLE.md): indexed reads are not checked by the compiler (noUncheckedIndexedAccess
      // is off: 352 sites, most in src/linalg's kernels, would need a guard per element), so `a[i]!`
      // asserts nothing; where an index can miss, say what happens (`?? fallback`, a check).
      'no-restricted-syntax': ['error', {
        selector: 'TSNonNullExpression > MemberExpression[computed=true]',
        message: 'a non-null assertion on an indexed read does nothing here (noUncheckedIndexedAccess is off): drop it, or handle the missing entry',
      }],
      'max-len': ['error', { code: 180, ignorePattern: '^\\s*\\* \\|', ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
  {
    files: ['src/**/*.ts', 'streams/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      // no-cycle parses the imported modules itself: it needs the TypeScript parser for .ts files.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', {
        zones: [
          ...srcZones,
          { target: './src', from: ['./streams', './bench', './test'], message: 'src/ is pure numerics: it never imports streams/, bench/ or test/' },
          {
            target: './streams', from: './src', except: ['./index.ts', './internals.ts'],
            message: 'streams/ imports src/ only through its faces: src/index.ts (public) or src/internals.ts',
          },
          { target: './streams', from: ['./bench', './test'], message: 'the shipped streams/ never imports bench/ or test/' },
          ...streamsZones,
        ],
      }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ioModules, message: 'src/ is pure numerics (docs/STYLE.md): no I/O, stream or node:* imports. Put it in streams/.' }],
      }],
      'no-console': 'error',
    },
  },
);
