// `npm run bench`: runs every benchmark in bench/*.ts in turn (each states its question at the top
// and writes its results under bench/out/), passing the command-line flags through (e.g. --quick).
// Run one alone with `npx tsx bench/<name>.ts`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH ? process.env.BENCH.split(',') : null;
const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort()
  .filter((f) => only === null || only.includes(f.replace(/\.ts$/, '')));
let failed = 0;
for (const f of files) {
  console.log(`\n## bench/${f}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, f), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.error(`bench/${f} failed (exit ${r.status})`); }
}
process.exit(failed === 0 ? 0 : 1);
