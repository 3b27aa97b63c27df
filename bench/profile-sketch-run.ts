/**
 * Profiling driver (not a benchmark: run-all skips *-run.ts). It runs only the sketch's hot path,
 * `updateRows` of one record on 100000 synthetic rows, three times, and prints rows/s, so that a
 * profiler sees nothing else (no decode, no CLI, no reconstruction):
 *
 *   node --experimental-wasm-relaxed-simd --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-sketch-run.ts
 *   METHOD=rsvd FAM=gaussian R=32 COLS=1024 DTYPE=float64 node ... bench/profile-sketch-run.ts
 *
 * Then open the .cpuprofile in Chrome DevTools (Performance tab) or summarize its self times. For
 * throughput comparisons between commits use bench/sketch-throughput.ts, which reports and compares.
 */
import { createSketch, updateRows, type SketchMethod } from '../src/internals.js';
import { enableRelaxedSimd } from '../streams/enable-relaxed-simd.js';

enableRelaxedSimd();
const fam = (process.env.FAM ?? 'sparse-sign') as 'gaussian' | 'sparse-sign';
const method = (process.env.METHOD ?? 'three-sketch') as SketchMethod;
const dtype = (process.env.DTYPE ?? 'float32') as 'float32' | 'float64';
const m = Number(process.env.ROWS ?? 100_000), n = Number(process.env.COLS ?? 256), r = Number(process.env.R ?? 10);
const a = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
let x = 1;
for (let i = 0; i < a.length; i++) { x = (x * 1103515245 + 12345) % 2147483648; a[i] = x / 2147483648 - 0.5; }
const bs = 8192;
for (let rep = 0; rep < 3; rep++) {
  const st = createSketch({ method, cols: n, rank: r, seed: 1, testMatrix: fam, dtype });
  const t0 = performance.now();
  for (let i = 0; i < m; i += bs) updateRows(st, { rows: Math.min(bs, m - i), cols: n, data: a, offset: i * n, stride: n }, i);
  const dt = (performance.now() - t0) / 1000;
  console.log(`${method} ${fam} ${dtype} r${r} ${m}x${n} k=${st.sizes.k}: ${(m / dt).toFixed(0)} rows/s`);
}
