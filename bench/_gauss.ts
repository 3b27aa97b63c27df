/**
 * Question: how much faster is the Gaussian test-matrix generator with our own bit-reproducible ln/cos/sin
 * (src/random/box-muller.ts) than with Math.log/cos/sin, and how close are the values?
 * Data: the streamed maps of `updateRows` at rank 10 on 256 columns (k + s + q = 134 normals per item),
 * 100000 items, into a Float32Array and a Float64Array; also dim 10 (the theta map alone).
 * Method: `fillItems('gaussian', ...)` against a verbatim copy of the previous generator (commit 760f9d7:
 * the same xor128 stream and layout, seeded through seedrandom, with Math-based Box-Muller); alternating, best of REPS.
 * Conclusion (2026-11-23, shared 2-core box): 3.5-3.9x faster (dim 134: 264-278 ms -> 72-74 ms, about 48 -> 183
 * M normals/s; dim 10: 3.5-3.7x). Float32 outputs were identical to the Math version on all 13.4M values;
 * float64 outputs differ by at most 3.6e-15 (the 1.7e-12 relative differences at |z| near 1e-3 are the Math
 * version's own rounding of 2 pi u before Math.cos/sin). In `updateRows` (bench/_prof2-style, 100000 x 256
 * float32) the same swap took rank 10 from about 150k to 185-204k rows/s and rank 32 from 36k to 47-53k.
 * Run: npx tsx bench/_gauss.ts
 */
import seedrandom from 'seedrandom';
import { fillItems } from '../src/random/test-matrix.js';

/** The previous generator's group size (seedrandom xor128 seeded per aligned group of 64 items). */
const GROUP = 64;

const TWO_PI = 2 * Math.PI;
const INV_2_32 = 1 / 4294967296;

type XorState = { x: number; y: number; z: number; w: number };

/** The previous `fillGaussianItems` (Math-based Box-Muller), unchanged but for its name and seeding. */
function fillGaussianMath(
  seed: number, purpose: string, dim: number, i0: number, count: number,
  out: Float64Array | Float32Array, off: number, ld: number,
): void {
  const draws = 2 * Math.ceil(dim / 2);
  let t = 0;
  while (t < count) {
    const i = i0 + t;
    const g = Math.floor(i / GROUP);
    // The old generator mixed the seeding string in without building it; seedrandom's own seeding gives the
    // same state (about 1 us per group of 64 items, under 1% of the group's time at dim 10).
    const st = (seedrandom.xor128(`${seed >>> 0}:${purpose}:${g}`, { state: true }) as unknown as { state(): XorState }).state();
    let x = st.x, y = st.y, z = st.z, w = st.w;
    const skip = (i - g * GROUP) * draws;
    for (let d = 0; d < skip; d++) {
      const u = x ^ (x << 11); x = y; y = z; z = w; w ^= (w >>> 19) ^ u ^ (u >>> 8);
    }
    const end = Math.min(count, (g + 1) * GROUP - i0);
    for (; t < end; t++) {
      const o = off + t * ld;
      for (let j = 0; j < dim; j += 2) {
        let u = x ^ (x << 11); x = y; y = z; z = w; w ^= (w >>> 19) ^ u ^ (u >>> 8);
        const r = Math.sqrt(-2 * Math.log(((w >>> 0) + 1) * INV_2_32));
        u = x ^ (x << 11); x = y; y = z; z = w; w ^= (w >>> 19) ^ u ^ (u >>> 8);
        const th = TWO_PI * (((w >>> 0) + 1) * INV_2_32);
        out[o + j] = r * Math.cos(th);
        if (j + 1 < dim) out[o + j + 1] = r * Math.sin(th);
      }
    }
  }
}

const REPS = Number(process.env.REPS ?? 7);
const items = 100000;
for (const dim of [134, 10]) {
  for (const Arr of [Float32Array, Float64Array]) {
    const a = new Arr(items * dim), b = new Arr(items * dim);
    let bestNew = Infinity, bestOld = Infinity;
    for (let rep = 0; rep < REPS; rep++) {
      let t0 = performance.now();
      fillItems('gaussian', 7, 'upsilon', dim, rep * items, items, a);
      bestNew = Math.min(bestNew, performance.now() - t0);
      t0 = performance.now();
      fillGaussianMath(7, 'upsilon', dim, rep * items, items, b, 0, dim);
      bestOld = Math.min(bestOld, performance.now() - t0);
    }
    let maxAbs = 0, maxRel = 0;
    for (let t = 0; t < a.length; t++) {
      const d = Math.abs(a[t]! - b[t]!);
      maxAbs = Math.max(maxAbs, d);
      if (Math.abs(b[t]!) > 1e-3) maxRel = Math.max(maxRel, d / Math.abs(b[t]!));
    }
    const normals = items * dim;
    console.log(`dim ${dim} ${Arr.name}: Math ${bestOld.toFixed(1)} ms (${(normals / bestOld / 1e3).toFixed(1)} M normals/s), `
      + `own ${bestNew.toFixed(1)} ms (${(normals / bestNew / 1e3).toFixed(1)} M normals/s), speedup ${(bestOld / bestNew).toFixed(2)}x; `
      + `max |diff| ${maxAbs.toExponential(2)}, max rel diff (|z| > 1e-3) ${maxRel.toExponential(2)}`);
  }
}
