/**
 * The seam between the kernels (pure, in src/) and a pool of worker threads (streams/thread-pool.ts,
 * which may use node:worker_threads). Workers share the kernels' WebAssembly memory, each with its
 * own instance, and are signalled through Atomics on a small control block rather than postMessage
 * (docs/KERNELS.md: 1.9 to 2.0x on an idle 2-core box).
 *
 * Every kernel call stays SYNCHRONOUS for its caller: the calling thread publishes one job, wakes
 * the workers, works on the job itself, then `Atomics.wait`s until all workers are done. Streams
 * rely on this for backpressure inside `subscriber.next()`.
 *
 * Work is handed out in chunks (row blocks or column panels) through an atomic counter rather than
 * split in fixed halves: on a shared machine a thread that loses its core for a while then simply
 * takes fewer chunks instead of holding everyone up. Which thread computes a chunk never changes
 * its arithmetic, so threaded results equal single-thread results bit for bit.
 *
 * Control block: Int32 words 0 generation, 1 pending workers, 2 stop flag, 3 ready count, 4 error
 * flag, 5 next chunk, 6 chunks computed by workers so far (a statistic); from byte JOB_BYTE the job (Float64 words, see JOB_*); from byte WS_BYTE one
 * Float64 workspace address per thread (0 = the calling thread, w + 1 = worker w).
 */
import { MAX_THREADS } from './wasm-runtime.js';

export const CTL_GEN = 0;
export const CTL_PENDING = 1;
export const CTL_STOP = 2;
export const CTL_READY = 3;
export const CTL_ERROR = 4;
export const CTL_NEXT = 5;
export const CTL_WORKER_CHUNKS = 6;
export const JOB_BYTE = 64;
export const WS_BYTE = 256;
/**
 * Job words: [op, m, n, k, alpha, a, ars, acs, b, brs, bps, c, ldc, flags, byRows, unit, chunks,
 * es, nr]: the kernel arguments (byte addresses and strides), then how chunks map to arguments
 * (chunk u covers rows [u unit, (u + 1) unit) when byRows, else panels [u unit, (u + 1) unit)).
 */
export const JOB_WORDS = 19;

/** What src/ sees of a pool: how many workers wait on the control block. */
export interface KernelThreadPool {
  /** Worker threads (the calling thread computes a share too: total threads = workers + 1). */
  readonly workers: number;
}

const control = new SharedArrayBuffer(WS_BYTE + MAX_THREADS * 8);
const ctl = new Int32Array(control, 0, 16);
const job = new Float64Array(control, JOB_BYTE, JOB_WORDS);
const ws = new Float64Array(control, WS_BYTE, MAX_THREADS);
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

/** Publish a job (JOB_WORDS values) and the workspace of every thread; resets the chunk counter. */
export function publishJob(words: Float64Array, workspaces: readonly number[]): void {
  job.set(words);
  for (let t = 0; t < workspaces.length; t++) ws[t] = workspaces[t];
  Atomics.store(ctl, CTL_NEXT, 0);
}

/** Claim the next chunk of the published job (a value >= the job's chunk count means none left). */
export function nextChunk(): number {
  return Atomics.add(ctl, CTL_NEXT, 1);
}

/** Chunks computed by worker threads since the program started (proof that they take part). */
export function workerChunkCount(): number {
  return Atomics.load(ctl, CTL_WORKER_CHUNKS);
}

/** Wake all workers on the published job; `ownShare` runs on this thread meanwhile; returns when all are done. */
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
