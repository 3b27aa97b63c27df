/**
 * ONNX models: the ModelProto decoded with protobufjs (onnx-schema.ts), its weights found wherever
 * they live — `graph.initializer` and the `value` tensor of `Constant` nodes, in the main graph and
 * in every subgraph (If/Loop/Scan bodies, any graph-valued attribute), with ONNX's scoping (a
 * subgraph sees the names of the graphs around it) — and the layers rangefinder can factor:
 * - MatMul(X, W) with a 2-D weight W as the second input;
 * - Gemm(X, W, C?) with a 2-D weight W as the second input (any transA/transB/alpha/beta);
 * - Conv(X, W, b?) with a (out x in x 1 x 1) weight and group 1 (a 1 x 1 convolution is a matrix).
 * A weight used anywhere else too (another op, a graph output, a second input slot) is kept, and
 * the report says why. Weights stored as external data are kept as well (not read).
 *
 * Float32, float16, bfloat16 and float64 weights are read, from `raw_data` or the typed fields.
 * A file that is not an ONNX protobuf is a FormatError naming the file.
 */
import { readFileSync } from 'node:fs';
import { FormatError } from '../../src/internals.js';
import { bf16ToFloat, halfToFloat } from './half-float.js';
import type { LayerKind, ModelLayer, StoredDType, WeightMatrix } from './model-types.js';
import { modelProtoType, ONNX_BFLOAT16, ONNX_DOUBLE, ONNX_FLOAT, ONNX_FLOAT16 } from './onnx-schema.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs messages are dynamic objects */
export type Proto = any;

/** int64 fields decode as numbers or Long objects. */
export function num(x: unknown): number {
  if (typeof x === 'number') return x;
  if (x !== null && typeof x === 'object' && 'toNumber' in x) return (x as { toNumber(): number }).toNumber();
  return Number(x);
}

export interface OnnxWeight {
  readonly name: string;
  readonly tensor: Proto;
  /** The graph that defines it, and how: an initializer or a Constant node's value. */
  readonly graph: Proto;
  readonly definedBy: 'initializer' | 'constant';
  readonly node?: Proto;
}

export interface OnnxLayer extends ModelLayer {
  readonly node: Proto;
  /** The graph the node belongs to. */
  readonly graph: Proto;
  readonly weightDef: OnnxWeight;
}

export interface OnnxModel {
  readonly format: 'onnx';
  readonly path: string;
  readonly model: Proto;
  /** Whether decode + encode reproduced the file byte for byte (false: fields unknown to the schema would be dropped). */
  readonly lossless: boolean;
  readonly opset: number;
  readonly layers: readonly OnnxLayer[];
  /** Every weight found, by name (the innermost definition wins inside a subgraph). */
  readonly weights: ReadonlyMap<string, OnnxWeight>;
  /** Every graph: the main graph first, then subgraphs in the order found. */
  readonly graphs: readonly Proto[];
}

const DTYPES: Record<number, StoredDType> = { [ONNX_FLOAT]: 'float32', [ONNX_FLOAT16]: 'float16', [ONNX_BFLOAT16]: 'bfloat16', [ONNX_DOUBLE]: 'float64' };

export function attr(node: Proto, name: string): Proto | undefined {
  return (node.attribute as Proto[]).find((a) => a.name === name);
}

export function intAttr(node: Proto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a === undefined ? dflt : num(a.i);
}

/** Subgraphs held by a node's attributes. */
export function subgraphs(node: Proto): Proto[] {
  const out: Proto[] = [];
  for (const a of node.attribute as Proto[]) {
    if (a.g) out.push(a.g);
    for (const g of a.graphs ?? []) out.push(g);
  }
  return out;
}

/** Float values of a tensor (row-major), from raw_data or the typed fields. */
export function tensorValues(t: Proto, where: string): Float32Array {
  const dt = num(t.data_type);
  const dtype = DTYPES[dt];
  const name = String(t.name ?? '');
  if (dtype === undefined) throw new FormatError(`${where}: tensor '${name}' has ONNX data type ${dt}: expected float, float16, bfloat16 or double`);
  if (num(t.data_location ?? 0) === 1) throw new FormatError(`${where}: tensor '${name}' is stored as external data, which rangefinder does not read`);
  const count = (t.dims as unknown[]).map(num).reduce((a, b) => a * b, 1);
  const raw: Uint8Array | undefined = t.raw_data && t.raw_data.length > 0 ? t.raw_data : undefined;
  const out = new Float32Array(count);
  if (raw) {
    const isz = dtype === 'float64' ? 8 : dtype === 'float32' ? 4 : 2;
    if (raw.length !== count * isz) throw new FormatError(`${where}: tensor '${name}' has ${raw.length} bytes of raw_data, its shape [${(t.dims as unknown[]).map(num).join(', ')}] needs ${count * isz}`);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (dtype === 'float32') for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
    else if (dtype === 'float64') for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true);
    else if (dtype === 'float16') for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
    else for (let i = 0; i < count; i++) out[i] = bf16ToFloat(dv.getUint16(2 * i, true));
    return out;
  }
  const typed: ArrayLike<number> = dtype === 'float32' ? t.float_data : dtype === 'float64' ? t.double_data : t.int32_data;
  if (typed.length !== count) throw new FormatError(`${where}: tensor '${name}' has ${typed.length} values, its shape needs ${count}`);
  if (dtype === 'float16') for (let i = 0; i < count; i++) out[i] = halfToFloat(typed[i]);
  else if (dtype === 'bfloat16') for (let i = 0; i < count; i++) out[i] = bf16ToFloat(typed[i]);
  else for (let i = 0; i < count; i++) out[i] = typed[i];
  return out;
}

function weightMatrix(w: OnnxWeight, rows: number, cols: number, where: string): WeightMatrix {
  let values: Float32Array | undefined;
  const shape = (w.tensor.dims as unknown[]).map(num);
  return {
    name: w.name, where, rows, cols, shape, dtype: DTYPES[num(w.tensor.data_type)],
    readRows(r0, count, into) {
      values ??= tensorValues(w.tensor, where);
      const src = values.subarray(r0 * cols, (r0 + count) * cols);
      if (into !== undefined && into.length >= src.length) { into.set(src); return into.subarray(0, src.length); }
      return src.slice();
    },
  };
}

export function decodeOnnx(bytes: Uint8Array, path: string): { model: Proto; lossless: boolean } {
  const T = modelProtoType();
  let model: Proto;
  try { model = T.decode(bytes); } catch (e) {
    throw new FormatError(`${path} is not an ONNX model: protobuf decoding failed (${(e as Error).message.split('\n')[0]})`);
  }
  if (!model.graph || (model.graph.node as unknown[]).length === 0 || !model.opset_import || model.opset_import.length === 0) {
    throw new FormatError(`${path} is not an ONNX model: expected a ModelProto with a graph of nodes and an opset_import`);
  }
  const again = T.encode(model).finish();
  return { model, lossless: again.length === bytes.length };
}

export function readOnnx(path: string): OnnxModel {
  const bytes = readFileSync(path);
  const { model, lossless } = decodeOnnx(bytes, path);
  return analyzeOnnx(model, path, lossless);
}

/** Finds the weights, their uses and the factorable layers of a decoded model. */
export function analyzeOnnx(model: Proto, path: string, lossless = true): OnnxModel {
  const opset = Math.max(0, ...(model.opset_import as Proto[]).filter((o) => !o.domain || o.domain === 'ai.onnx').map((o) => num(o.version)));
  const weights = new Map<string, OnnxWeight>();
  const graphs: Proto[] = [];
  type Use = { node: Proto; graph: Proto; slot: number; scope: Map<string, OnnxWeight> } | { output: string };
  const uses = new Map<OnnxWeight, Use[]>();
  const candidates: { node: Proto; graph: Proto; def: OnnxWeight; kind: LayerKind }[] = [];

  const walk = (graph: Proto, outer: Map<string, OnnxWeight>): void => {
    graphs.push(graph);
    const scope = new Map(outer);
    for (const t of graph.initializer as Proto[]) {
      const def: OnnxWeight = { name: t.name, tensor: t, graph, definedBy: 'initializer' };
      scope.set(t.name, def); weights.set(t.name, def);
    }
    for (const n of graph.node as Proto[]) {
      if (n.op_type === 'Constant' && (!n.domain || n.domain === 'ai.onnx')) {
        const v = attr(n, 'value');
        if (v?.t && n.output.length === 1) {
          const def: OnnxWeight = { name: n.output[0], tensor: v.t, graph, definedBy: 'constant', node: n };
          scope.set(n.output[0], def); weights.set(n.output[0], def);
        }
      }
    }
    for (const n of graph.node as Proto[]) {
      (n.input as string[]).forEach((inp, slot) => {
        const def = scope.get(inp);
        if (def) { const list = uses.get(def) ?? []; list.push({ node: n, graph, slot, scope }); uses.set(def, list); }
      });
      for (const g of subgraphs(n)) walk(g, scope);
      const def = scope.get(n.input[1]);
      if (!def || (n.domain && n.domain !== 'ai.onnx')) continue;
      const dims = (def.tensor.dims as unknown[]).map(num);
      if (n.op_type === 'MatMul' && dims.length === 2) candidates.push({ node: n, graph, def, kind: 'matmul' });
      else if (n.op_type === 'Gemm' && dims.length === 2) candidates.push({ node: n, graph, def, kind: 'gemm' });
      else if (n.op_type === 'Conv' && dims.length === 4 && dims[2] === 1 && dims[3] === 1 && intAttr(n, 'group', 1) === 1) {
        candidates.push({ node: n, graph, def, kind: 'conv1x1' });
      }
    }
    for (const o of graph.output as Proto[]) {
      const def = scope.get(o.name);
      if (def) { const list = uses.get(def) ?? []; list.push({ output: o.name }); uses.set(def, list); }
    }
  };
  walk(model.graph, new Map());

  const layers: OnnxLayer[] = [];
  for (const c of candidates) {
    const dims = (c.def.tensor.dims as unknown[]).map(num);
    const rows = dims[0], cols = c.kind === 'conv1x1' ? dims[1] : dims[1];
    const dtype = DTYPES[num(c.def.tensor.data_type)];
    let refusal: string | undefined;
    const others = (uses.get(c.def) ?? []).filter((u) => !('node' in u) || !candidates.some((d) => d.node === u.node && d.def === c.def && u.slot === 1));
    if (others.length > 0) {
      const u = others[0];
      refusal = 'node' in u ? `its weight is also input ${u.slot} of ${u.node.op_type} node '${u.node.name || u.node.output[0]}'` : `its weight is also the graph output '${u.output}'`;
    } else if (dtype === undefined) refusal = `its weight has ONNX data type ${num(c.def.tensor.data_type)}, not a float type`;
    else if (num(c.def.tensor.data_location ?? 0) === 1) refusal = 'its weight is stored as external data';
    else if (c.kind === 'gemm' && opset < 11) refusal = `opset ${opset} < 11: a Gemm without C cannot be written`;
    else if (rows < 2 || cols < 2) refusal = 'its weight is a vector';
    const name = c.node.name || c.node.output[0];
    layers.push({
      name, kind: c.kind, node: c.node, graph: c.graph, weightDef: c.def,
      weight: weightMatrix(c.def, rows, cols, path),
      ...(refusal ? { refusal } : {}),
    });
  }
  return { format: 'onnx', path, model, lossless, opset, layers, weights, graphs };
}

/** Describes a weight that is not a factorable layer, for the error of an explicit --layers match. */
export function describeOnnxWeight(m: OnnxModel, name: string): string | undefined {
  const w = m.weights.get(name);
  if (!w) return undefined;
  const dims = (w.tensor.dims as unknown[]).map(num);
  for (const g of m.graphs) {
    for (const n of g.node as Proto[]) {
      const slot = (n.input as string[]).indexOf(name);
      if (slot < 0) continue;
      if (n.op_type === 'Conv' && dims.length === 4) {
        return `is the weight of Conv node '${n.name || n.output[0]}' with kernel ${dims.slice(2).join(' x ')}${intAttr(n, 'group', 1) !== 1 ? ` and group ${intAttr(n, 'group', 1)}` : ''}: expected a 1 x 1 convolution with group 1`;
      }
      return `has shape [${dims.join(', ')}] and is input ${slot} of ${n.op_type} node '${n.name || n.output[0]}': expected a 2-D weight of MatMul or Gemm, or a 1 x 1 Conv weight`;
    }
  }
  return `has shape [${dims.join(', ')}] and no node uses it as a MatMul/Gemm/1 x 1 Conv weight`;
}
