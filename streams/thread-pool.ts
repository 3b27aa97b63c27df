/**
 * A persistent pool of worker threads for the WebAssembly kernels (docs/KERNELS.md, "Threads"): each
 * worker instantiates the kernels' compiled module against the SAME shared memory and waits on the
 * control block of src/kernels/kernel-threads.ts with `Atomics.wait`; a product wakes them with
 * `Atomics.notify`, computes its own share on the calling thread and waits for theirs, so every
 * kernel call stays synchronous for its caller.
 *
 * The worker source is an inline string run with `eval: true`, so it works the same from the
 * TypeScript sources (vitest, tsx) and from the built dist/. Workers are unref'ed (an idle pool
 * never keeps the process alive) and `stop()` ends them.
 */
import { Worker } from 'node:worker_threads';
import {
  CTL_GEN, CTL_STOP, JOB_BYTE, JOB_WORDS, kernelControl, setKernelThreads, WS_BYTE, type KernelThreadPool,
} from '../src/internals.js';
import { KERNEL_OPS, MAX_THREADS, wasmRuntime } from '../src/internals.js';
import { enableRelaxedSimd } from './enable-relaxed-simd.js';

// Worker side of the protocol in src/kernels/kernel-threads.ts; runChunk mirrors gemm-wasm.ts.
// Dynamic import works whether the eval'd source runs as CommonJS (the default) or as a module
// (workers inherit --input-type=module from the parent's execArgv).
const WORKER_SOURCE = `
import('node:worker_threads').then(({ workerData, parentPort }) => {
const { module, memory, control, index, ops, jobByte, jobWords, wsByte, maxThreads } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = ops.map((name) => instance.exports[name]);
const ctl = new Int32Array(control, 0, 16);
const j = new Float64Array(control, jobByte, jobWords);
const ws = new Float64Array(control, wsByte, maxThreads);
function runChunk(kernel, u, wsp) {
  const m = j[1], n = j[2], unit = j[15], es = j[17], nr = j[18];
  if (j[14] === 1) {
    const i0 = u * unit, i1 = Math.min(m, i0 + unit);
    kernel(i1 - i0, n, j[3], j[4], j[5] + i0 * j[6], j[6], j[7], j[8], j[9], j[10], j[11] + i0 * j[12], j[12], wsp, j[13]);
  } else {
    const p0 = u * unit, j0 = p0 * nr, j1 = Math.min(n, j0 + unit * nr);
    kernel(m, j1 - j0, j[3], j[4], j[5], j[6], j[7], j[8] + p0 * j[10], j[9], j[10], j[11] + j0 * es, j[12], wsp, j[13]);
  }
}
let gen = Atomics.load(ctl, 0);
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(ctl, 0, gen);
  gen = Atomics.load(ctl, 0);
  if (Atomics.load(ctl, 2) !== 0) break;
  try {
    const kernel = fns[j[0]], chunks = j[16], wsp = ws[index + 1];
    for (let u = Atomics.add(ctl, 5, 1); u < chunks; u = Atomics.add(ctl, 5, 1)) {
      runChunk(kernel, u, wsp);
      Atomics.add(ctl, 6, 1);
    }
  } catch (e) {
    Atomics.store(ctl, 4, 1);
  }
  if (Atomics.sub(ctl, 1, 1) === 1) Atomics.notify(ctl, 1);
}
});
`;

export interface KernelThreads extends KernelThreadPool {
  /** Total threads used by products: workers + the calling thread. */
  readonly threads: number;
  /** Uninstall the pool from the kernels and end the workers. */
  stop(): Promise<void>;
}

let active: KernelThreads | null = null;

/**
 * Start `threads - 1` workers and install them for every later product (threads = 1 uninstalls
 * any pool). Resolves once all workers are ready. Default thread count is 1 at the CLI: the user
 * opts in (`--threads 2`); on 2 cores a second thread gives 1.8 to 2x on large products.
 */
export async function startKernelThreads(threads: number): Promise<KernelThreads | null> {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new RangeError(`startKernelThreads: threads must be an integer from 1 to 64, got ${threads}`);
  }
  if (active !== null) await active.stop();
  if (threads === 1) return null;
  enableRelaxedSimd();
  const rt = wasmRuntime();
  if (rt === null) return null;
  const control = kernelControl();
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  for (let index = 0; index < threads - 1; index++) {
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module: rt.module, memory: rt.memory, control, index, ops: [...KERNEL_OPS],
        jobByte: JOB_BYTE, jobWords: JOB_WORDS, wsByte: WS_BYTE, maxThreads: MAX_THREADS,
      },
    });
    ready.push(new Promise((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`kernel worker ${index} exited with code ${code} before it was ready`)));
    }));
    workers.push(w);
  }
  try {
    await Promise.all(ready);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  // Unref only now: until every worker is ready, the pending start must keep the process alive.
  for (const w of workers) { w.removeAllListeners('exit'); w.unref(); }
  const ctl = new Int32Array(control, 0, 16);
  Atomics.store(ctl, CTL_STOP, 0);
  const pool: KernelThreads = {
    workers: workers.length,
    threads,
    async stop() {
      if (active === pool) { setKernelThreads(null); active = null; }
      Atomics.store(ctl, CTL_STOP, 1);
      Atomics.add(ctl, CTL_GEN, 1);
      Atomics.notify(ctl, CTL_GEN);
      await Promise.all(workers.map((w) => w.terminate()));
      Atomics.store(ctl, CTL_STOP, 0);
    },
  };
  setKernelThreads(pool);
  active = pool;
  return pool;
}
