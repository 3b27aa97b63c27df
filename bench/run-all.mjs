// `npm run bench`: runs every benchmark in bench/ in turn (each states its question at the top and
// writes its results under bench/out/), passing flags through:
//   npm run bench                      all of them
//   npm run bench -- --quick           all, each in its short variant
//   npm run bench -- kernels linalg    only these (names without .ts; BENCH=kernels,linalg works too)
// Each runs as `node --experimental-wasm-relaxed-simd --import tsx bench/<name>.ts` (the flag works
// on the command line, unlike NODE_OPTIONS). Helpers are skipped: files named _*.ts or *-run.ts.
// pass-budget drives bin/rangefinder.js, so dist/ is built first if it is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const ORDER = ['kernels', 'linalg', 'accuracy-single-view', 'sketch-throughput', 'sketch-memory', 'one-pass', 'approx-vs-numpy',
  'rsi-study', 'rsi-vs-numpy', 'decode-throughput', 'decode-sketch', 'pass-budget'];
const all = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_') && !f.endsWith('-run.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 999) - (ORDER.indexOf(b) + 1 || 999) || a.localeCompare(b));
const args = process.argv.slice(2);
const named = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const wanted = named.length > 0 ? named : process.env.BENCH ? process.env.BENCH.split(',') : null;
const unknown = (wanted ?? []).filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`run-all: unknown benchmark ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
const selected = wanted === null ? all : all.filter((f) => wanted.includes(f));
if (selected.includes('pass-budget') && !existsSync(join(root, 'dist', 'streams', 'cli', 'main.js'))) {
  console.log('run-all: building dist/ for the pass-budget benchmark (npm run build)');
  spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
const failed = [];
for (const name of selected) {
  console.log(`\n## bench/${name}.ts\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', join(here, `${name}.ts`), ...flags], { stdio: 'inherit', cwd: root });
  console.log(`(bench/${name}.ts: ${((Date.now() - t0) / 1000).toFixed(1)} s, exit ${r.status})`);
  if (r.status !== 0) failed.push(name);
}
if (failed.length > 0) console.error(`\nrun-all: failed: ${failed.join(', ')}`);
process.exit(failed.length === 0 ? 0 : 1);
