/**
 * Turn on WebAssembly relaxed SIMD (fused multiply-add: +15 to 35% on the kernels, docs/KERNELS.md) on
 * Node 20, where it is behind `--experimental-wasm-relaxed-simd`. It must run before the kernels
 * compile their module (their first use); later it changes nothing. NODE_OPTIONS refuses this flag,
 * so the CLI, the benchmarks and the thread pool call this instead. Harmless on Nodes that ship it.
 */
import { setFlagsFromString } from 'node:v8';

let done = false;

export function enableRelaxedSimd(): void {
  if (done) return;
  done = true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}
