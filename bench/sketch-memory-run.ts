/** Shared by bench/sketch-memory.ts and test/sketch-memory.test.ts: one measured sketching run. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createSketch, stateBytes, updateRows } from '../src/internals.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mem = () => { gc(); gc(); const u = process.memoryUsage(); return u.heapUsed + u.arrayBuffers; };

export interface MemoryRun { rows: number; budget: number; stateBytes: number; deltaBytes: number; seconds: number; spilledRows: number }

export function measureSketchMemory(rows: number, budget = 512 * 1024, n = 256, blockRows = 1000): MemoryRun {
  const block = new Float32Array(blockRows * n);
  let spilledRows = 0;
  const base = mem();
  const st = createSketch({
    cols: n, rank: 5, testMatrix: 'sparse-sign', memoryBudget: budget, seed: 1,
    spill: { write(_r0, y) { spilledRows += y.rows; } },
  });
  const t0 = performance.now();
  for (let r0 = 0; r0 < rows; r0 += blockRows) {
    const b = Math.min(blockRows, rows - r0);
    for (let t = 0; t < b; t++) {
      const i = r0 + t;
      // A smooth low-rank part plus a hash: rows differ, nothing is stored.
      for (let j = 0; j < n; j++) block[t * n + j] = ((i % 97) - 48) * ((j % 13) - 6) * 1e-3 + ((Math.imul(i, 2654435761) ^ Math.imul(j, 40503)) >>> 20) * 1e-4;
    }
    updateRows(st, { rows: b, cols: n, data: block, offset: 0, stride: n }, r0);
  }
  const seconds = (performance.now() - t0) / 1000;
  const deltaBytes = mem() - base;
  const out = { rows, budget, stateBytes: stateBytes(st), deltaBytes, seconds, spilledRows };
  if (st.rowsSeen !== rows) throw new Error('rows lost');
  return out;
}
