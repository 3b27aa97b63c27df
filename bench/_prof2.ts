/** Profiling driver (skipped by run-all): updateRows on 100000 x 256 float32 rows; FAM=gaussian|sparse-sign, R=rank. */
import { createSketch, updateRows } from '../src/internals.js';
import { enableRelaxedSimd } from '../streams/enable-relaxed-simd.js';
enableRelaxedSimd();
const fam = (process.env.FAM ?? 'gaussian') as 'gaussian'|'sparse-sign';
const m = 100000, n = 256, r = Number(process.env.R ?? 10);
const a = new Float32Array(m * n);
let x = 1; for (let i = 0; i < a.length; i++) { x = (x * 1103515245 + 12345) % 2147483648; a[i] = x / 2147483648 - 0.5; }
for (let rep = 0; rep < 3; rep++) {
const st = createSketch({ cols: n, rank: r, seed: 1, testMatrix: fam, dtype: 'float32' });
const bs = 8192; const t0 = performance.now();
for (let i = 0; i < m; i += bs) { const b = Math.min(bs, m - i); updateRows(st, { rows: b, cols: n, data: a, offset: i * n, stride: n }, i); }
const dt = (performance.now() - t0) / 1000;
console.log(`${fam} r${r} k=${st.sizes.k} s=${st.sizes.s} ${(m / dt).toFixed(0)} rows/s`);
}
