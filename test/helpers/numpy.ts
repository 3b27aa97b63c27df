/**
 * numpy as an oracle in tests and benchmarks: runs python3 with numpy (child_process) and reads
 * back float64 values. `hasNumpy()` lets a test skip cleanly on machines without it.
 */
import { execFileSync } from 'node:child_process';

let available: boolean | undefined;

export function hasNumpy(): boolean {
  if (available === undefined) {
    try {
      execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/**
 * Run a python snippet with `np` imported and `args` in `sys.argv[1:]`; the snippet must assign a
 * numpy array (or list) to `out`, which is returned as float64 values.
 */
export function runNumpy(snippet: string, args: string[] = [], env: Record<string, string> = {}): Float64Array {
  const script = `import sys, numpy as np\n${snippet}\nsys.stdout.buffer.write(np.ascontiguousarray(np.asarray(out, dtype='<f8')).tobytes())\n`;
  const buf = execFileSync('python3', ['-c', script, ...args], {
    maxBuffer: 1 << 30,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', ...env },
  });
  const out = new Float64Array(buf.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(8 * i);
  return out;
}

/** Singular values (descending) of the .npy matrix at `path`, computed by numpy in float64. */
export function numpySingularValues(path: string): Float64Array {
  return runNumpy("out = np.linalg.svd(np.load(sys.argv[1]).astype(np.float64), compute_uv=False)", [path]);
}
