/**
 * The package as a user gets it (issue 18): `npm pack` of this checkout, then `npm install` of the
 * tarball from the real registry into two fresh projects in os.tmpdir():
 *
 * - A: pins rxjs 7.8.1 and installs with --legacy-peer-deps (so npm installs no peer for us): one
 *   copy of rxjs, a `.pipe(sketchRows(...))` pipeline typechecks with `tsc --strict` and runs, and
 *   `npx rangefinder approx` reads a .npy, an Arrow IPC file and a Parquet file.
 * - B: depends on apache-arrow 17 and does not list rxjs (npm installs our peer): no ERESOLVE, the
 *   user keeps Arrow 17 and we get our own copy (no Arrow object crosses our API: inputs are files
 *   and byte streams), and `npx rangefinder approx` reads an Arrow file written by the user's Arrow 17.
 *
 * Neither install prints a warning. The npm cache is shared (the second install reuses the
 * first's downloads). Skipped, with a message, only when the registry cannot be reached.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Matrix64 } from '../src/matrix.js';
import { arrowBytes, ensureBuilt, ROOT, writeNpyMatrix, writeParquetMatrix } from './helpers/cli-harness.js';

const SIGMA = [9, 4, 2];

/** A = U diag(sigma) V^T with U, V orthonormal by Gram-Schmidt on fixed vectors (no library code involved). */
function lowRank(m: number, n: number, sigma: readonly number[]): Matrix64 {
  const basis = (len: number, salt: number): number[][] => {
    const q: number[][] = [];
    for (let j = 0; j < sigma.length; j++) {
      const v = Array.from({ length: len }, (_, i) => Math.sin(1.3 * (i + 1) * (j + salt) + 0.7 * j));
      for (const u of q) { const d = u.reduce((t, x, i) => t + x * v[i], 0); for (let i = 0; i < len; i++) v[i] = v[i] - d * u[i]; }
      const norm = Math.hypot(...v);
      q.push(v.map((x) => x / norm));
    }
    return q;
  };
  const u = basis(m, 1), v = basis(n, 2);
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let c = 0; c < n; c++) data[i * n + c] = sigma.reduce((t, s, j) => t + s * u[j][i] * v[j][c], 0);
  return { rows: m, cols: n, data, offset: 0, stride: n };
}

/** The environment for child npm/node processes, without the npm_* variables of a parent `npm test`. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, NO_UPDATE_NOTIFIER: '1', RANGEFINDER_DEBUG: '' };
}

function registryReachable(): boolean {
  const r = spawnSync('npm', ['view', 'rxjs@7.8.1', 'version', '--prefer-online'], { encoding: 'utf8', timeout: 60_000, env: cleanEnv() });
  return r.status === 0 && r.stdout.trim() === '7.8.1';
}

const online = registryReachable();
if (!online) console.warn('package-install.test.ts: SKIPPED: the npm registry is unreachable (npm view rxjs@7.8.1 failed), so the tarball cannot be installed');

function run(cmd: string, args: readonly string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: cleanEnv() });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function warnings(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /\bwarn/i.test(l));
}

const USER_TS = `
import { lastValueFrom, map, of, range } from 'rxjs';
import { randomizedSvd, type Matrix64 } from 'rangefinder';
import { fromNpy, reconstruct, sketchRows, type RowBlock } from 'rangefinder/streams';

const [path, rows, cols] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const a = new Float64Array(JSON.parse(process.argv[5]) as number[]);
const rank = 3;
// Row blocks made with the user's rxjs, folded by our operator: one Observable class.
const blocks = range(0, rows / 10).pipe(map((i): RowBlock => ({ rowStart: 10 * i, rows: 10, cols, data: a.subarray(10 * i * cols, 10 * (i + 1) * cols) })));
const inMemory = await lastValueFrom(blocks.pipe(sketchRows({ cols, rank, seed: 1 })));
const fromFile = await lastValueFrom(fromNpy(path).open().pipe(sketchRows({ cols, rank, seed: 1 })));
const s1 = (await lastValueFrom(of(inMemory).pipe(reconstruct()))).s;
const s2 = (await lastValueFrom(of(fromFile).pipe(reconstruct()))).s;
const m: Matrix64 = { rows, cols, data: a, offset: 0, stride: cols };
const s3 = randomizedSvd(m, { rank, seed: 0 }).s;
console.log(JSON.stringify({ pipe: Array.from(s1), file: Array.from(s2), rsvd: Array.from(s3) }));
`;

const ARROW17_WRITER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
const [path, rows, cols] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const a = JSON.parse(process.argv[5]);
const columns = {};
for (let j = 0; j < cols; j++) columns['c' + j] = Float64Array.from({ length: rows }, (_, i) => a[i * cols + j]);
writeFileSync(path, tableToIPC(tableFromArrays(columns), 'file'));
console.log(JSON.parse(readFileSync('node_modules/apache-arrow/package.json', 'utf8')).version);
`;

describe.skipIf(!online)('the packed tarball installed into fresh projects (needs the npm registry)', () => {
  let work: string;
  let tarball: string;
  let a: Matrix64;
  const installs: Record<string, { seconds: number; stderr: string }> = {};

  function project(name: string, pkg: Record<string, unknown>, flags: string[]): string {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', private: true, type: 'module', ...pkg }, null, 2)}\n`);
    const t0 = performance.now();
    const r = run('npm', ['install', '--no-audit', '--no-fund', ...flags], dir, 600_000);
    ok(r, `npm install in ${name}`);
    installs[name] = { seconds: (performance.now() - t0) / 1000, stderr: r.stderr };
    return dir;
  }

  function approx(dir: string, file: string, extra: string[] = []): Record<string, unknown> {
    const r = run('npx', ['--no-install', 'rangefinder', 'approx', file, '--rank', '3', '--json', '--no-progress', ...extra], dir, 120_000);
    const out = ok(r, `npx rangefinder approx ${file}`);
    expect(r.stderr).toBe('');
    return JSON.parse(out) as Record<string, unknown>;
  }

  function expectSigma(json: Record<string, unknown>): void {
    const s = json.singularValues as number[];
    expect(s.length).toBe(3);
    for (let j = 0; j < 3; j++) expect(Math.abs(s[j] - SIGMA[j]) / SIGMA[0]).toBeLessThan(1e-8);
  }

  beforeAll(async () => {
    await ensureBuilt();
    work = mkdtempSync(join(tmpdir(), 'rf-install-'));
    // `npm pack` runs prepack (scripts/pack-manifest.mjs), which rebuilds dist/ in a checkout: here
    // the files the tarball lists are staged first, so the pack runs its hooks without rebuilding
    // the dist/ that other test files are using (no toolchain in the staging directory).
    const listed = JSON.parse(ok(run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], ROOT), 'npm pack --dry-run')) as { files: { path: string }[] }[];
    const stage = join(work, 'stage');
    for (const f of listed[0].files) {
      mkdirSync(dirname(join(stage, f.path)), { recursive: true });
      copyFileSync(join(ROOT, f.path), join(stage, f.path));
    }
    const listing = JSON.parse(ok(run('npm', ['pack', '--json', '--pack-destination', work], stage), 'npm pack')) as
      { filename: string; files: { path: string }[]; size: number; unpackedSize: number }[];
    tarball = join(work, listing[0].filename);
    const files = listing[0].files.map((f) => f.path);
    expect(files.sort()).toEqual(listed[0].files.map((f) => f.path).sort());
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/streams/cli/main.js');
    expect(files.filter((f) => /^dist\/(test|bench)\//.test(f))).toEqual([]);
    // The manifest users install has no `prepare` (it builds from sources here; they get dist/) ...
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as { scripts: Record<string, string> };
    expect(manifest.scripts.prepare).toBeUndefined();
    // ... and the staged checkout got its own back (postpack).
    expect((JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.prepare).toBeDefined();
    console.log(`package-install: ${listing[0].filename} ${(listing[0].size / 2 ** 20).toFixed(2)} MiB packed, ${(listing[0].unpackedSize / 2 ** 20).toFixed(2)} MiB unpacked, ${files.length} files`);
    a = lowRank(60, 12, SIGMA);
  }, 300_000);

  afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

  it('A: rxjs 7.8.1 pinned, --legacy-peer-deps: one rxjs, tsc --strict accepts .pipe(sketchRows(...)), the CLI reads .npy, Arrow and Parquet', () => {
    const ts = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string };
    const dir = project('rf-user-a', {
      dependencies: { rangefinder: `file:${tarball}`, rxjs: '7.8.1' },
      devDependencies: { typescript: ts.version, '@types/node': '^20.19.0' },
    }, ['--legacy-peer-deps']);
    expect(warnings(installs['rf-user-a'].stderr)).toEqual([]);
    // One copy of rxjs: the user's 7.8.1, none of our own under node_modules/rangefinder.
    expect((JSON.parse(readFileSync(join(dir, 'node_modules', 'rxjs', 'package.json'), 'utf8')) as { version: string }).version).toBe('7.8.1');
    expect(existsSync(join(dir, 'node_modules', 'rangefinder', 'node_modules', 'rxjs'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'apache-arrow'))).toBe(true); // a dependency now, not a peer
    // no install script of ours or of our dependencies is needed (npm 11 would list them)
    expect(installs['rf-user-a'].stderr).not.toMatch(/install-scripts/);

    writeFileSync(join(dir, 'main.mts'), USER_TS);
    const tsc = run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--types', 'node', '--outDir', 'out', 'main.mts'], dir, 180_000);
    ok(tsc, 'tsc --strict main.mts');
    writeNpyMatrix(join(dir, 'a.npy'), a);
    const res = JSON.parse(ok(run(process.execPath, [join(dir, 'out', 'main.mjs'), join(dir, 'a.npy'), '60', '12', JSON.stringify(Array.from(a.data))], dir), 'node out/main.mjs')) as
      Record<'pipe' | 'file' | 'rsvd', number[]>;
    for (const s of [res.pipe, res.file, res.rsvd]) for (let j = 0; j < 3; j++) expect(Math.abs(s[j] - SIGMA[j])).toBeLessThan(1e-8);

    writeFileSync(join(dir, 'a.arrow'), arrowBytes(a, 'file', 16));
    writeParquetMatrix(join(dir, 'a.parquet'), a, [{ name: 'id', type: 'STRING', data: Array.from({ length: a.rows }, (_, i) => `r${i}`) }], 25);
    expectSigma(approx(dir, 'a.npy'));
    expectSigma(approx(dir, 'a.arrow', ['--passes', '2']));
    expectSigma(approx(dir, 'a.parquet', ['--exclude', 'id', '--method', 'exact']));
    const version = run('npx', ['--no-install', 'rangefinder', '-v'], dir);
    expect(ok(version, 'rangefinder -v')).toMatch(/^rangefinder \d+\.\d+\.\d+\n$/);
    // Without the rxjs peer (--legacy-peer-deps and no rxjs of the user's): one line saying so, exit 2.
    renameSync(join(dir, 'node_modules', 'rxjs'), join(dir, 'node_modules', 'rxjs-away'));
    try {
      const missing = run('npx', ['--no-install', 'rangefinder', 'approx', 'a.npy', '--rank', '3'], dir);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toBe('rangefinder: rxjs is not installed; it is a peer dependency of rangefinder (npm install rxjs@7)\n');
    } finally {
      renameSync(join(dir, 'node_modules', 'rxjs-away'), join(dir, 'node_modules', 'rxjs'));
    }
  }, 900_000);

  it('B: a project on apache-arrow 17 installs without ERESOLVE, keeps its Arrow, and the CLI reads the Arrow file it wrote', () => {
    const dir = project('rf-user-b', { dependencies: { rangefinder: `file:${tarball}`, 'apache-arrow': '17.0.0' } }, []);
    expect(warnings(installs['rf-user-b'].stderr)).toEqual([]);
    const version = (p: string): string => (JSON.parse(readFileSync(join(dir, p, 'package.json'), 'utf8')) as { version: string }).version;
    expect(version('node_modules/apache-arrow')).toBe('17.0.0');
    expect(version('node_modules/rangefinder/node_modules/apache-arrow')).toMatch(/^21\./);
    expect(version('node_modules/rxjs')).toMatch(/^7\./); // our peer, installed by npm
    writeFileSync(join(dir, 'write-arrow.mjs'), ARROW17_WRITER);
    const wrote = ok(run(process.execPath, ['write-arrow.mjs', 'a17.arrow', '60', '12', JSON.stringify(Array.from(a.data))], dir), 'write-arrow.mjs');
    expect(wrote.trim()).toBe('17.0.0');
    expectSigma(approx(dir, 'a17.arrow'));
    writeNpyMatrix(join(dir, 'a.npy'), a);
    expectSigma(approx(dir, 'a.npy', ['--passes', '3']));
    console.log(`package-install: npm install A ${installs['rf-user-a']?.seconds.toFixed(0)} s, B ${installs['rf-user-b'].seconds.toFixed(0)} s`);
  }, 900_000);
});
