/**
 * Memory independent of the number of rows [docs/METHODS.md §6].
 *
 * Question: does sketching 10^4 and 10^6 rows of width 256 under the same memory budget give the
 * same state bytes, and does the process's heap plus array buffers stay flat (difference < 10 MB)?
 *
 * Data: rows generated block by block (1000 x 256 float32, one reused buffer) from an integer hash,
 * so the input itself never occupies memory. Method: three-sketch, rank 5, sparse-sign maps, memory
 * budget 512 KiB; range rows go to a counting spill (the streams layer writes them to a file).
 * After each run: global gc, then process.memoryUsage() heapUsed + arrayBuffers minus the baseline
 * taken before creating the sketch (the state is still alive when measured). A warm-up run first
 * lets JIT code and the kernels' scratch settle. Run: npx tsx bench/sketch-memory.ts
 * (ROWS=10000,1000000 by default). Output: bench/out/sketch-memory.json.
 *
 * Conclusion: printed (state bytes equal; heap + array-buffer difference in MB).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { measureSketchMemory } from './sketch-memory-run.js';

const rows = (process.env.ROWS ?? '10000,1000000').split(',').map(Number);
measureSketchMemory(2000);
const out = rows.map((m) => measureSketchMemory(m));
for (const o of out) console.log(`${o.rows} rows: state ${o.stateBytes} bytes (budget ${o.budget}), heap+arrayBuffers delta ${(o.deltaBytes / 1e6).toFixed(2)} MB, ${o.seconds.toFixed(1)} s (${(o.rows / o.seconds).toFixed(0)} rows/s), spilled ${o.spilledRows} rows`);
const diff = Math.abs(out[out.length - 1].deltaBytes - out[0].deltaBytes) / 1e6;
console.log(`state bytes equal: ${out.every((o) => o.stateBytes === out[0].stateBytes)}; memory difference ${diff.toFixed(2)} MB (limit 10 MB)`);
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/sketch-memory.json', JSON.stringify({ runs: out, differenceMB: diff }, null, 1));
