/**
 * Question: how much faster is the Gaussian test-matrix generator with our own bit-reproducible ln/cos/sin
 * (src/random/box-muller.ts) than with Math.log/cos/sin, and how close are the values?
 * Data: the streamed maps of `updateRows` at rank 10 on 256 columns (k + s + q = 134 normals per item),
 * 100000 items, into a Float32Array and a Float64Array; also dim 10 (the theta map alone).
 * Method: the TypeScript generator (`gaussianItemsJs`: Philox4x32-10 words into our Box-Muller) against the
 * same Philox words into a Math-based Box-Muller; alternating, best of REPS. (`fillItems` runs the
 * WebAssembly twin: bench/random-streams-ab.ts measures it.)
 * Conclusion (2026-11-23, shared 2-core box, on the previous xor128 stream): 3.5-3.9x faster (dim 134:
 * 264-278 ms -> 72-74 ms); float32 outputs identical to the Math version on all 13.4M values; float64
 * within 3.6e-15 (the Math version's own rounding of 2 pi u before Math.cos/sin). With Philox words the
 * word generation takes a larger share, so the ratio is smaller; rerun for current figures.
 * Run: npx tsx bench/gaussian-generator.ts
 */
import { gaussianItemsJs } from '../src/random/items-js.js';
import { philox4x32 } from '../src/random/philox.js';
import { purposeKey } from '../src/random/purposes.js';

const TWO_PI = 2 * Math.PI;
const INV_2_32 = 1 / 4294967296;
const words = new Int32Array(4);

/** The same Philox words as `gaussianItemsJs`, through Math-based Box-Muller. */
function fillGaussianMath(k0: number, key: number, dim: number, i0: number, count: number, out: Float64Array | Float32Array): void {
  for (let t = 0; t < count; t++) {
    const i = i0 + t, o = t * dim;
    for (let j = 0; j < dim; j += 2) {
      if (j % 4 === 0) philox4x32(i, Math.floor(i * INV_2_32), j >> 2, 0, k0, key, words);
      const w1 = words[j & 3], w2 = words[(j & 3) + 1];
      const r = Math.sqrt(-2 * Math.log(((w1 >>> 0) + 1) * INV_2_32));
      const th = TWO_PI * (((w2 >>> 0) + 1) * INV_2_32);
      out[o + j] = r * Math.cos(th);
      if (j + 1 < dim) out[o + j + 1] = r * Math.sin(th);
    }
  }
}

const REPS = Number(process.env.REPS ?? 7);
const items = 100000, key = purposeKey('upsilon');
for (const dim of [134, 10]) {
  for (const Arr of [Float32Array, Float64Array]) {
    const a = new Arr(items * dim), b = new Arr(items * dim);
    let bestNew = Infinity, bestOld = Infinity;
    for (let rep = 0; rep < REPS; rep++) {
      let t0 = performance.now();
      gaussianItemsJs(7, key, dim, rep * items, items, a, 0, dim);
      bestNew = Math.min(bestNew, performance.now() - t0);
      t0 = performance.now();
      fillGaussianMath(7, key, dim, rep * items, items, b);
      bestOld = Math.min(bestOld, performance.now() - t0);
    }
    let maxAbs = 0, maxRel = 0;
    for (let t = 0; t < a.length; t++) {
      const d = Math.abs(a[t] - b[t]);
      maxAbs = Math.max(maxAbs, d);
      if (Math.abs(b[t]) > 1e-3) maxRel = Math.max(maxRel, d / Math.abs(b[t]));
    }
    const normals = items * dim;
    console.log(`dim ${dim} ${Arr.name}: Math ${bestOld.toFixed(1)} ms (${(normals / bestOld / 1e3).toFixed(1)} M normals/s), `
      + `own ${bestNew.toFixed(1)} ms (${(normals / bestNew / 1e3).toFixed(1)} M normals/s), speedup ${(bestOld / bestNew).toFixed(2)}x; `
      + `max |diff| ${maxAbs.toExponential(2)}, max rel diff (|z| > 1e-3) ${maxRel.toExponential(2)}`);
  }
}
