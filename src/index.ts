/**
 * rangefinder numerics (pure: typed arrays in, typed arrays out; no I/O). The streams layer
 * (sources, RxJS operators, sinks, CLI) is the `rangefinder/streams` entry point.
 */
export * from './errors.js';
export * from './matrix.js';
export {
  fillItems, fillSparseSignItems, sparseSignZeta, testMatrix, TEST_MATRIX_FAMILIES, type TestMatrixFamily,
} from './random/test-matrix.js';
export { gemm, matmul } from './kernels/gemm.js';
export { kernelBackend } from './kernels/wasm-runtime.js';
export { allocF32, allocF64, freeArena } from './kernels/wasm-arena.js';
export { hasNonFinite, firstNonFinite } from './kernels/find-non-finite.js';
export * from './linalg/index.js';
export * from './synthetic/index.js';
export * from './sketch/index.js';
export * from './multipass/index.js';
