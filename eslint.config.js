// Lint: mostly typescript-eslint's recommended set, plus the architecture rule of STYLE.md:
// src/ is pure numerics and imports nothing from rxjs, apache-arrow, Parquet libraries or node:*.
import tseslint from 'typescript-eslint';

const ioModules = [
  'rxjs', 'rxjs/*', 'apache-arrow', 'apache-arrow/*', 'hyparquet', 'hyparquet-*', 'parquetjs-lite',
  'parquet-wasm', 'parquet-wasm/*', 'node:*', 'fs', 'fs/*', 'path', 'os', 'net', 'child_process',
  'worker_threads', 'stream', 'stream/*', 'url', 'v8', 'crypto',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'build/**', 'assembly/**', 'bench/out/**', 'src/kernels/wasm-bytes.generated.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Every random draw is seeded: use src/random.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ioModules, message: 'src/ is pure numerics (STYLE.md): no I/O, stream or node:* imports. Put it in streams/.' }],
      }],
      'no-console': 'error',
    },
  },
);
