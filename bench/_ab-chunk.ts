import { createSketch, updateRows, stateBytes } from '../src/sketch/index.js';
import { enableRelaxedSimd } from '../streams/enable-relaxed-simd.js';
enableRelaxedSimd();
const m = 50000, n = Number(process.env.N ?? 256);
const a = new Float32Array(m * n);
let x = 1; for (let i = 0; i < a.length; i++) { x = (x * 1103515245 + 12345) % 2147483648; a[i] = x / 2147483648 - 0.5; }
for (const r of [32, 10]) for (let rep = 0; rep < 3; rep++) for (const c of [128, 256, 512]) {
  const st = createSketch({ cols: n, rank: r, seed: 1, chunkRows: c });
  const t0 = performance.now();
  for (let i = 0; i < m; i += 8192) { const b = Math.min(8192, m - i); updateRows(st, { rows: b, cols: n, data: a, offset: i * n, stride: n }, i); }
  console.log(`r${r} chunk ${c} ${(m / ((performance.now() - t0) / 1000)).toFixed(0)} rows/s, state ${(stateBytes(st) / 2 ** 20).toFixed(1)} MiB`);
}
