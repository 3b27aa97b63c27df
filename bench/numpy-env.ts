/**
 * The environment of a benchmark's numpy child process: this process's, with `extra` on top and
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed. Some machines pin both for old OpenBLAS builds
 * that miscompute on their processors; a current numpy runs slower with them (a generic kernel), which
 * would understate the peer. Benchmarks only: tests and CI keep the environment as it is.
 */
export function numpyEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}
