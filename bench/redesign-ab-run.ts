/**
 * Child of bench/redesign-ab.ts (skipped by run-all: *-run.ts): in the source tree it is copied into,
 * reads the first rows of a float32 .npy into memory and times the one-pass sketch's `updateRows` over it, in the
 * blocks the .npy source emits (4 MiB), on one thread. Prints one JSON line. It uses only what every
 * compared tree has (`createSketch`, `updateRows` from src/index.ts; `enableRelaxedSimd`), so the
 * same file runs before and after the redesign; options a tree does not know (`dtype` before the
 * redesign, whose float32 rows always took the float32 path) are ignored there.
 *
 *   node --experimental-wasm-relaxed-simd --import tsx bench/redesign-ab-run.ts A.npy METHOD FAMILY RANK [L]
 *
 * Per child: a warm-up pass over the first 5 000 rows (a sketch thrown away), then one timed pass
 * into a fresh sketch over the first TIMED_MB (default 102.4) MB of rows (all 100 000 rows of 256
 * columns, the first 25 000 of 1024: the work per row does not depend on the row count, and the
 * shared machine does not allow more); prints rows/s of the pass (wall time, and CPU time: user +
 * system of the process, which a crowded machine inflates far less) and the sizes used.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createSketch, updateRows } from '../src/index.js';
import { enableRelaxedSimd } from '../streams/enable-relaxed-simd.js';

enableRelaxedSimd();
const [path, method, family, rankArg, widthArg] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const rank = Number(rankArg);
// .npy: magic, version, header length (v1: u16 at 8, v2+: u32), header; the rows follow it.
const fd = openSync(path, 'r');
const pre = Buffer.alloc(12);
readSync(fd, pre, 0, 12, 0);
const start = pre[6] === 1 ? 10 + pre.readUInt16LE(8) : 12 + pre.readUInt32LE(8);
const hb = Buffer.alloc(start);
readSync(fd, hb, 0, start, 0);
const header = hb.toString('latin1');
const shape = /'shape': \((\d+), (\d+)\)/.exec(header);
if (!shape || !header.includes("'<f4'") || header.includes("'fortran_order': True")) throw new Error(`${path}: expected a C-order float32 .npy`);
const n = Number(shape[2]);
// Only the rows that are timed are read: the first TIMED_MB (default 102.4) MB.
const m = Math.min(Number(shape[1]), Math.floor((Number(process.env.TIMED_MB ?? 102.4) * 1e6) / (n * 4)));
const a = new Float32Array(m * n);
const bytes = new Uint8Array(a.buffer);
for (let got = 0; got < bytes.length;) {
  const k = readSync(fd, bytes, got, bytes.length - got, start + got);
  if (k === 0) throw new Error(`${path}: truncated`);
  got += k;
}
closeSync(fd);
const blockRows = Math.max(1, Math.floor((4 * 1024 * 1024) / (n * 4)));

type Opts = Parameters<typeof createSketch>[0];
const opts = { cols: n, rank, method, testMatrix: family, seed: 1, dtype: 'float32', ...(widthArg ? { rangeDim: Number(widthArg) } : {}) } as unknown as Opts;

/** Wall seconds and CPU seconds (user + system of this process: the pass runs on this thread only). */
function pass(rows: number): { seconds: number; cpuSeconds: number; sizes: unknown } {
  const st = createSketch(opts);
  const c0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < rows; i += blockRows) updateRows(st, { rows: Math.min(blockRows, rows - i), cols: n, data: a, offset: i * n, stride: n }, i);
  const seconds = (performance.now() - t0) / 1000, c = process.cpuUsage(c0);
  return { seconds, cpuSeconds: (c.user + c.system) / 1e6, sizes: (st as unknown as { sizes: unknown }).sizes };
}

pass(Math.min(m, 5_000));
const run = pass(m);
console.log(JSON.stringify({ rows: m, cols: n, method, family, rank, sizes: run.sizes, seconds: [run.seconds], cpuSeconds: run.cpuSeconds, rowsPerS: m / run.seconds, rowsPerCpuS: m / run.cpuSeconds }));
