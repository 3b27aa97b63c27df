/**
 * What the model readers share: a weight matrix W (m x n) that can be read in row blocks, lazily,
 * from the file it lives in, and how it is used in the model (the layer kind), so the writers know
 * how to replace it by its two factors W ~ A B (A = U diag(S)^1/2, m x k; B = diag(S)^1/2 V^T, k x n).
 *
 * The matrix is always the stored tensor viewed as rows x columns without a copy:
 * - ONNX MatMul `Y = X W`: W is (in x out) as stored; Y = (X A) B.
 * - ONNX Gemm `Y = alpha op(X) op(W) + beta C`: the stored W ((in x out), or (out x in) with transB);
 *   Gemm(X, A) then Gemm(., B, C) (with transB: Gemm(X, B) then Gemm(., A, C), both transB).
 * - ONNX Conv with a 1 x 1 kernel and group 1: the stored (out x in x 1 x 1) weight as (out x in);
 *   Conv(X, B as k x in x 1 x 1, strides, pads) then Conv(., A as out x k x 1 x 1, bias).
 * - safetensors: every 2-D tensor (and 4-D tensors of shape (out, in, 1, 1)) as stored.
 * - TensorFlow.js: 2-D kernels (in x out) and 1 x 1 conv kernels (1, 1, in, out) as (in x out).
 */

export type LayerKind = 'matmul' | 'gemm' | 'conv1x1' | 'tensor' | 'dense' | 'tfjs-conv1x1';

/** Element types rangefinder reads from model files (names as the file spells them in `dtype`). */
export type StoredDType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'uint8-quantized' | 'uint16-quantized' | 'float16-quantized';

export interface WeightMatrix {
  /** Tensor name in the file. */
  readonly name: string;
  /** The file (or shard) it is read from, for messages. */
  readonly where: string;
  readonly rows: number;
  readonly cols: number;
  /** The stored tensor's shape (2-D, or 4-D for 1 x 1 convolutions). */
  readonly shape: readonly number[];
  readonly dtype: StoredDType;
  /**
   * Rows [r0, r0 + count) of W as float32, row-major (count x cols). Synchronous positioned reads
   * (or a view into memory for ONNX); `into` is reused when given and large enough.
   */
  readRows(r0: number, count: number, into?: Float32Array): Float32Array;
}

export interface ModelLayer {
  /** The layer's name in the report: the node name (ONNX) or the tensor name. */
  readonly name: string;
  readonly kind: LayerKind;
  readonly weight: WeightMatrix;
  /** Why this layer cannot be factored even if it would save parameters (shared weight, ...). */
  readonly refusal?: string;
}

/** A factored layer as the writers receive it. */
export interface LayerFactors {
  readonly rank: number;
  /** m x k row-major, or `aBlocks` for a streamed layer. */
  readonly a?: Float32Array;
  /** Row blocks of A (rowStart, rows x k) in any order, for layers too large for memory. */
  readonly aBlocks?: () => AsyncIterable<{ rowStart: number; rows: number; data: Float32Array | Float64Array }>;
  /** k x n row-major. */
  readonly b: Float32Array;
}

export type ModelFormat = 'onnx' | 'safetensors' | 'tfjs';
