/**
 * A persistent pool of worker threads for the WebAssembly kernels (KERNELS.md, "Threads"): each
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
import { CTL_GEN, CTL_STOP, kernelControl, setKernelThreads, type KernelThreadPool } from '../src/kernels/kernel-threads.js';
import { KERNEL_OPS, wasmRuntime } from '../src/kernels/wasm-runtime.js';
import { enableRelaxedSimd } from './enable-relaxed-simd.js';

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, index, ops, slot, argsByte } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = ops.map((name) => instance.exports[name]);
const ctl = new Int32Array(control, 0, 16);
const a = new Float64Array(control, argsByte + index * slot * 8, slot);
let gen = Atomics.load(ctl, 0);
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(ctl, 0, gen);
  gen = Atomics.load(ctl, 0);
  if (Atomics.load(ctl, 2) !== 0) break;
  const op = a[0];
  if (op >= 0) {
    try { fns[op](a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]); }
    catch (e) { Atomics.store(ctl, 4, 1); }
  }
  if (Atomics.sub(ctl, 1, 1) === 1) Atomics.notify(ctl, 1);
}
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
      workerData: { module: rt.module, memory: rt.memory, control, index, ops: [...KERNEL_OPS], slot: 16, argsByte: 64 },
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
