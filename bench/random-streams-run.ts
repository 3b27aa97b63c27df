/**
 * Child of bench/random-streams-ab.ts (skipped by run-all: *-run.ts): measures, in this source tree,
 * the test-matrix generators and `updateRows` throughput, and prints one JSON line. It uses only APIs
 * that the tree before the Philox streams also had, so the same file runs in both trees.
 */
import { enableRelaxedSimd } from '../streams/enable-relaxed-simd.js';
import { allocF32, allocF64, freeArena } from '../src/kernels/wasm-arena.js';
import { fillItems, fillSparseSignItems } from '../src/random/test-matrix.js';
import { createSketch, disposeSketch, updateRows } from '../src/internals.js';

enableRelaxedSimd();
const M = Number(process.env.M ?? 100_000), n = 256, B = 8192;
const out: Record<string, number> = {};
/** PARTS=gen,update (default both): which measurements to take. */
const parts = (process.env.PARTS ?? 'gen,update').split(',');

// Data: float32 rows from a plain LCG (the same in both trees; no test-matrix draw).
const a = new Float32Array(M * n);
let x = 1;
for (let i = 0; i < a.length; i++) { x = (x * 1103515245 + 12345) % 2147483648; a[i] = x / 2147483648 - 0.5; }

function best(f: () => void, reps = 3): number {
  let t = Infinity;
  for (let r = 0; r < reps; r++) { const t0 = performance.now(); f(); t = Math.min(t, performance.now() - t0); }
  return t;
}

// Generators: items/s of the per-row maps of updateRows at rank 10 (k = 41, s = 83, q = 10) and 32 (k = 129, s = 259).
const items = 20_000;
for (const dim of parts.includes('gen') ? [10, 83, 259] : []) {
  const js32 = new Float32Array(items * dim), wa32 = allocF32(items * dim), js64 = new Float64Array(items * dim);
  out[`gauss-f32-js-d${dim}`] = items / best(() => fillItems('gaussian', 1, 'phi', dim, 12345, items, js32)) * 1e3;
  out[`gauss-f32-arena-d${dim}`] = items / best(() => fillItems('gaussian', 1, 'phi', dim, 12345, items, wa32)) * 1e3;
  out[`gauss-f64-js-d${dim}`] = items / best(() => fillItems('gaussian', 1, 'phi', dim, 12345, items, js64)) * 1e3;
  freeArena(wa32);
}
for (const dim of parts.includes('gen') ? [41, 83] : []) {
  const z = Math.min(dim, 8);
  const idx = new Int32Array(items * z), val = new Float64Array(items * z);
  out[`sparse-js-d${dim}`] = items / best(() => fillSparseSignItems(1, 'upsilon', dim, 12345, items, idx, val)) * 1e3;
  // Arena outputs: the resident chunk's scratch (WebAssembly loop in both trees).
  const vA = allocF64(items * z), iA = new Int32Array(vA.buffer, allocF64(Math.ceil(items * z / 2)).byteOffset, items * z);
  out[`sparse-arena-d${dim}`] = items / best(() => fillSparseSignItems(1, 'upsilon', dim, 12345, items, iA, vA)) * 1e3;
}

// updateRows on float32 rows (the resident path): rows/s, best of 2 sketches per configuration.
for (const testMatrix of parts.includes('update') ? ['sparse-sign', 'gaussian'] as const : []) {
  for (const rank of [10, 32]) {
    let bestMs = Infinity;
    for (let rep = 0; rep < 2; rep++) {
      const st = createSketch({ cols: n, rank, seed: 3, testMatrix, spill: { write() { /* not timed */ } } });
      const t0 = performance.now();
      for (let i = 0; i < M; i += B) {
        const b = Math.min(B, M - i);
        updateRows(st, { rows: b, cols: n, data: a, offset: i * n, stride: n }, i);
      }
      bestMs = Math.min(bestMs, performance.now() - t0);
      disposeSketch(st);
    }
    out[`update-${testMatrix}-r${rank}`] = M / bestMs * 1e3;
  }
}
console.log(JSON.stringify(out));
