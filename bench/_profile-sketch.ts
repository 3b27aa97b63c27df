/** Profiling driver (skipped by run-all): updateRows on float32 rows at a few shapes. */
import { createSketch, updateRows } from '../src/sketch/index.js';
import { enableRelaxedSimd } from '../streams/enable-relaxed-simd.js';
enableRelaxedSimd();
const cases = (process.env.CASES ?? '100000x256r10,100000x256r32,20000x1024r10').split(',');
for (const cs of cases) {
  const [mn, r] = cs.split('r'); const [m, n] = mn!.split('x').map(Number) as [number, number];
  const a = new Float32Array(m * n);
  let x = 1; for (let i = 0; i < a.length; i++) { x = (x * 1103515245 + 12345) % 2147483648; a[i] = x / 2147483648 - 0.5; }
  const st = createSketch({ cols: n, rank: Number(r), seed: 1, ...(process.env.CHUNK ? { chunkRows: Number(process.env.CHUNK) } : {}) });
  const bs = 8192;
  const t0 = performance.now();
  for (let i = 0; i < m; i += bs) { const b = Math.min(bs, m - i); updateRows(st, { rows: b, cols: n, data: a, offset: i * n, stride: n }, i); }
  const dt = (performance.now() - t0) / 1000;
  console.log(`${cs}: k=${st.sizes.k} s=${st.sizes.s} q=${st.sizes.q} chunk=${st.sizes.chunk} ${(m / dt).toFixed(0)} rows/s`);
}
