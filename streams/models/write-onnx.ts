/**
 * Rewrites a decoded ONNX model with factored layers and encodes it.
 *
 * For a weight W (m x n as stored) factored as W ~ A B, A = U diag(S)^1/2 (m x k) and
 * B = diag(S)^1/2 V^T (k x n), two initializers `<W>.lowrank_A` and `<W>.lowrank_B` are added to
 * the graph that defined W (so every graph that saw W sees them), in W's data type, and each node
 * that used W becomes two nodes (the second keeps the node's outputs and bias, so the rest of the
 * graph is unchanged):
 * - MatMul(X, W) -> MatMul(X, A) -> MatMul(., B)
 * - Gemm(X, W, C) -> Gemm(X, A; transA, alpha) -> Gemm(., B, C; beta); with transB = 1 (W stored
 *   out x in): Gemm(X, B; transA, transB, alpha) -> Gemm(., A, C; transB, beta)
 * - Conv(X, W, b) with W (out x in x 1 x 1) -> Conv(X, B as k x in x 1 x 1; strides, pads,
 *   dilations, auto_pad) -> Conv(., A as out x k x 1 x 1, b)
 * W itself (its initializer or Constant node) is removed once no node uses it.
 */
import { num, type OnnxLayer, type OnnxModel, type Proto } from './read-onnx.js';
import { modelProtoType, ONNX_BFLOAT16, ONNX_DOUBLE, ONNX_FLOAT, ONNX_FLOAT16 } from './onnx-schema.js';
import { encode16 } from './half-float.js';

export interface OnnxFactors {
  layer: OnnxLayer;
  rank: number;
  /** m x k and k x n, row-major. */
  a: Float32Array;
  b: Float32Array;
}

/** Names of the two factor tensors of weight `w`. */
export function factorNames(w: string): { a: string; b: string } {
  return { a: `${w}.lowrank_A`, b: `${w}.lowrank_B` };
}

function tensor(name: string, dims: number[], values: Float32Array, dataType: number): Proto {
  let raw: Uint8Array;
  if (dataType === ONNX_FLOAT) raw = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  else if (dataType === ONNX_DOUBLE) raw = new Uint8Array(Float64Array.from(values).buffer);
  else raw = encode16(values, dataType === ONNX_FLOAT16 ? 'float16' : 'bfloat16');
  return { name, dims, data_type: dataType === ONNX_BFLOAT16 || dataType === ONNX_FLOAT16 || dataType === ONNX_DOUBLE ? dataType : ONNX_FLOAT, raw_data: raw };
}

function copyAttrs(node: Proto, keep: (name: string) => boolean): Proto[] {
  return (node.attribute as Proto[]).filter((a) => keep(a.name));
}

function intsAttr(name: string, ints: number[]): Proto { return { name, type: 7, ints }; }
function intAttr(name: string, i: number): Proto { return { name, type: 2, i }; }

/** Applies the factors to `m.model` in place and returns the encoded model. */
export function applyOnnxFactors(m: OnnxModel, factors: readonly OnnxFactors[]): Uint8Array {
  const byWeight = new Map<string, OnnxFactors[]>();
  for (const f of factors) {
    const list = byWeight.get(f.layer.weightDef.name) ?? [];
    list.push(f);
    byWeight.set(f.layer.weightDef.name, list);
  }
  for (const [wName, list] of byWeight) {
    const f0 = list[0];
    const def = f0.layer.weightDef;
    const dims = (def.tensor.dims as unknown[]).map(num);
    const dataType = num(def.tensor.data_type);
    const k = f0.rank;
    const names = factorNames(wName);
    const conv = f0.layer.kind === 'conv1x1';
    const aDims = conv ? [dims[0], k, 1, 1] : [dims[0], k];
    const bDims = conv ? [k, dims[1], 1, 1] : [k, dims[1]];
    const g = def.graph;
    g.initializer.push(tensor(names.a, aDims, f0.a, dataType), tensor(names.b, bDims, f0.b, dataType));
    // IR < 4 lists every initializer among the graph inputs too.
    if ((g.input as Proto[]).some((v) => v.name === wName)) {
      const info = (name: string, d: number[]): Proto => ({ name, type: { tensor_type: { elem_type: dataType, shape: { dim: d.map((x) => ({ dim_value: x })) } } } });
      g.input.push(info(names.a, aDims), info(names.b, bDims));
    }
    for (const f of list) rewriteNode(f.layer, names);
    // Remove W.
    if (def.definedBy === 'initializer') {
      g.initializer = (g.initializer as Proto[]).filter((t) => t !== def.tensor);
      g.input = (g.input as Proto[]).filter((v) => v.name !== wName);
    } else {
      g.node = (g.node as Proto[]).filter((n) => n !== def.node);
    }
  }
  return modelProtoType().encode(m.model).finish();
}

function rewriteNode(layer: OnnxLayer, names: { a: string; b: string }): void {
  const n = layer.node;
  const g = layer.graph;
  const x = n.input[0] as string;
  const y = n.output as string[];
  const mid = `${y[0]}.lowrank`;
  const base = n.name || y[0];
  let first: Proto, second: Proto;
  if (layer.kind === 'matmul') {
    first = { input: [x, names.a], output: [mid], name: `${base}.lowrank_1`, op_type: 'MatMul', attribute: [] };
    second = { input: [mid, names.b], output: y, name: `${base}.lowrank_2`, op_type: 'MatMul', attribute: [] };
  } else if (layer.kind === 'gemm') {
    const transB = (n.attribute as Proto[]).some((a) => a.name === 'transB' && num(a.i) === 1);
    const c = (n.input as string[]).slice(2);
    first = {
      input: [x, transB ? names.b : names.a], output: [mid], name: `${base}.lowrank_1`, op_type: 'Gemm',
      attribute: copyAttrs(n, (a) => a === 'transA' || a === 'alpha' || (a === 'transB' && transB)),
    };
    second = {
      input: [mid, transB ? names.a : names.b, ...c], output: y, name: `${base}.lowrank_2`, op_type: 'Gemm',
      attribute: copyAttrs(n, (a) => a === 'beta' || (a === 'transB' && transB)),
    };
  } else {
    const bias = (n.input as string[]).slice(2);
    first = {
      input: [x, names.b], output: [mid], name: `${base}.lowrank_1`, op_type: 'Conv',
      attribute: copyAttrs(n, (a) => a !== 'group'),
    };
    second = {
      input: [mid, names.a, ...bias], output: y, name: `${base}.lowrank_2`, op_type: 'Conv',
      attribute: [intsAttr('kernel_shape', [1, 1]), intsAttr('strides', [1, 1]), intAttr('group', 1)],
    };
  }
  if (n.domain) { first.domain = n.domain; second.domain = n.domain; }
  const i = (g.node as Proto[]).indexOf(n);
  (g.node as Proto[]).splice(i, 1, first, second);
}
