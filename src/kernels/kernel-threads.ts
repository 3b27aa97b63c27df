/**
 * The seam between the kernels (pure, in src/) and a pool of worker threads (streams/thread-pool.ts,
 * which may use node:worker_threads). Workers share the kernels' WebAssembly memory, each with its
 * own instance, and are signalled through Atomics on a small control block rather than postMessage
 * (KERNELS.md: 1.9 to 2.0x on an idle 2-core box).
 *
 * Every kernel call stays SYNCHRONOUS for its caller: the calling thread fills one argument slot per
 * worker, wakes them, computes its own share, then `Atomics.wait`s until all are done. Streams rely
 * on this for backpressure inside `subscriber.next()`.
 *
 * Control block (Int32 words): 0 generation, 1 pending workers, 2 stop flag, 3 ready count, 4 error
 * flag; from byte 64, one Float64 argument slot of 16 words per worker: [op, ...13 kernel args]
 * (op -1 = nothing to do this round).
 */
import { MAX_THREADS } from './wasm-runtime.js';

export const CTL_GEN = 0;
export const CTL_PENDING = 1;
export const CTL_STOP = 2;
export const CTL_READY = 3;
export const CTL_ERROR = 4;
export const CTL_ARGS_BYTE = 64;
export const CTL_SLOT = 16;

/** What src/ sees of a pool: how many workers wait on the control block. */
export interface KernelThreadPool {
  /** Worker threads (the calling thread computes a share too: total threads = workers + 1). */
  readonly workers: number;
}

const control = new SharedArrayBuffer(CTL_ARGS_BYTE + MAX_THREADS * CTL_SLOT * 8);
const ctl = new Int32Array(control, 0, 16);
const args = new Float64Array(control, CTL_ARGS_BYTE, MAX_THREADS * CTL_SLOT);
let pool: KernelThreadPool | null = null;
/** A worker that has not answered within this many ms is presumed dead. */
const TIMEOUT_MS = 120_000;

/** The control block workers wait on (handed to them by the pool at start). */
export function kernelControl(): SharedArrayBuffer {
  return control;
}

/** Install (or with null, remove) the pool the kernels split large products across. */
export function setKernelThreads(p: KernelThreadPool | null): void {
  if (p !== null && (p.workers < 0 || p.workers >= MAX_THREADS)) {
    throw new RangeError(`setKernelThreads: ${p.workers} workers, expected 0 to ${MAX_THREADS - 1}`);
  }
  pool = p;
}

/** Threads a product may use: 1 + the workers of the installed pool. */
export function kernelThreadCount(): number {
  return pool === null ? 1 : pool.workers + 1;
}

/** Write one job into worker w's slot (op -1 = idle). Allocates nothing. */
export function setWorkerJob(w: number, op: number, a: ArrayLike<number>, count: number): void {
  const base = w * CTL_SLOT;
  args[base] = op;
  for (let i = 0; i < count; i++) args[base + 1 + i] = a[i]!;
}

/** Wake all workers on their slots; `ownShare` runs on this thread meanwhile; returns when all are done. */
export function runWorkers(ownShare: () => void): void {
  const workers = pool === null ? 0 : pool.workers;
  if (workers === 0) { ownShare(); return; }
  Atomics.store(ctl, CTL_ERROR, 0);
  Atomics.store(ctl, CTL_PENDING, workers);
  Atomics.add(ctl, CTL_GEN, 1);
  Atomics.notify(ctl, CTL_GEN);
  try {
    ownShare();
  } finally {
    for (;;) {
      const p = Atomics.load(ctl, CTL_PENDING);
      if (p === 0) break;
      if (Atomics.wait(ctl, CTL_PENDING, p, TIMEOUT_MS) === 'timed-out') {
        throw new Error(`kernel threads: ${p} worker(s) did not finish within ${TIMEOUT_MS} ms`);
      }
    }
  }
  if (Atomics.load(ctl, CTL_ERROR) !== 0) throw new Error('kernel threads: a worker failed while running a kernel');
}
