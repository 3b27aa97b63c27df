/**
 * Everything below the public face that the streams layer, the benchmarks and the tests use: the
 * kernels (GEMM, arena, threads), the seeded generators, the whole of linalg, the multi-pass
 * building blocks (the Gram pass), the sketch internals. Not a stable API: `rangefinder/internals`.
 */
export * from './index.js';
export * from './matrix.js';
export { formatBytes } from './format-bytes.js';
export { gemm, matmul } from './kernels/gemm.js';
export { anyNonFinite, sumSquares, sumSquaresNorm } from './kernels/ops.js';
export { allocF32, allocF64, freeArena, inArena } from './kernels/wasm-arena.js';
export { wasmRuntime, type WasmRuntime } from './kernels/wasm-runtime.js';
export * from './kernels/kernel-threads.js';
export { KERNEL_OPS, MAX_THREADS } from './kernels/wasm-runtime.js';
export { fillItems, fillSparseSignItems, sparseSignZeta, testMatrix, TEST_MATRIX_FAMILIES, type TestMatrixFamily } from './random/test-matrix.js';
export { PURPOSES, purposeKey, type Purpose } from './random/purposes.js';
export { philox4x32 } from './random/philox.js';
export * from './linalg/index.js';
export * from './synthetic/index.js';
export * from './sketch/index.js';
export * from './multipass/index.js';
export * from './plan/index.js';
