/**
 * `--evaluate`: runs the original and the compressed ONNX model on the same inputs with
 * onnxruntime-node (an optional peer dependency, loaded only here) and compares their predictions:
 * - top-1 agreement: the fraction of prediction positions (every index of the first output but its
 *   last axis) whose argmax is the same;
 * - the largest softmax deviation max |p - p^| (the output itself when it already is a probability
 *   vector along its last axis, else its softmax).
 * - The bound of the theorem, ||p - p^||_inf <= 1/2 ||W - W^||_2 ||x||_2, checked on the captured
 *   inputs x of the last factored layer before the softmax: a probe model with only that layer
 *   factored is run, x is captured as an extra graph output, and every position's deviation is
 *   compared with its bound (violations, and how loose: the largest and median deviation / bound).
 *   Checked for MatMul layers reached from the output through Softmax, Add, Sub and Identity.
 *
 * Inputs are `.npy` files (float32 or float64, any number of dimensions, C order): for a model with
 * one input, each file is one batch run separately (so batches may differ in shape); for a model
 * with several inputs, the files are its inputs in order.
 */
import { readFileSync } from 'node:fs';
import { ArgumentError, FormatError } from '../../src/internals.js';
import { spectralErrorOfFactors } from './factor-layer.js';
import { analyzeOnnx, decodeOnnx, num, tensorValues, type OnnxLayer, type Proto } from './read-onnx.js';
import { applyOnnxFactors, factorNames } from './write-onnx.js';
import type { LayerReport } from './compress-model.js';

export interface EvaluationReport {
  inputs: string[];
  /** Prediction positions compared (rows of the output's last axis). */
  positions: number;
  top1Agreement: number;
  maxSoftmaxDeviation: number;
  outputName: string;
  /** Whether the output was taken as probabilities (true) or passed through softmax (false). */
  outputIsProbability: boolean;
  bound?: {
    layer: string;
    /** ||W - A B||_2 of the stored factors (Lanczos). */
    spectralError: number;
    positions: number;
    violations: number;
    /** deviation / bound: the largest and the median (1 = tight). */
    maxRatio: number;
    medianRatio: number;
    maxDeviation: number;
    maxBound: number;
  };
  boundNote?: string;
}

export interface NdArray { data: Float32Array; shape: number[] }

/** An .npy file of float32/float64 in C order, any number of dimensions, as float32. */
export function readNpyNd(path: string): NdArray {
  const bytes = readFileSync(path);
  if (bytes.length < 10 || bytes[0] !== 0x93 || bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new FormatError(`${path} is not a .npy file`);
  const major = bytes[6];
  const hlen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const text = bytes.toString('latin1', start, start + hlen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new FormatError(`${path}: malformed .npy header`);
  if (fortran === 'True') throw new FormatError(`${path}: Fortran-order .npy: expected C order for --evaluate inputs`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const off = start + hlen;
  if (descr !== '<f4' && descr !== '<f8') throw new FormatError(`${path}: dtype ${descr}: expected <f4 or <f8`);
  const isz = descr === '<f4' ? 4 : 8;
  if (bytes.length < off + count * isz) throw new FormatError(`${path} is truncated: its header promises ${count} values`);
  const data = new Float32Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + off, count * isz);
  for (let i = 0; i < count; i++) data[i] = isz === 4 ? dv.getFloat32(4 * i, true) : dv.getFloat64(8 * i, true);
  return { data, shape };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- onnxruntime-node is an optional peer dependency, typed loosely */
type Ort = any;

export async function loadOnnxRuntime(): Promise<Ort> {
  try {
    const mod = await import('onnxruntime-node');
    return (mod as { default?: Ort }).default ?? mod;
  } catch {
    throw new ArgumentError('--evaluate needs onnxruntime-node, an optional peer dependency: install it with `ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node` (the npm package ships the CPU binaries; the variable skips the GPU download)');
  }
}

function probabilities(data: Float32Array, c: number): { p: Float32Array; isProb: boolean } {
  const rows = data.length / c;
  let isProb = true;
  for (let r = 0; r < rows && isProb; r++) {
    let t = 0;
    for (let j = 0; j < c; j++) { const v = data[r * c + j]; if (v < -1e-6) { isProb = false; break; } t += v; }
    if (Math.abs(t - 1) > 1e-3) isProb = false;
  }
  if (isProb) return { p: data, isProb };
  const p = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    let mx = -Infinity;
    for (let j = 0; j < c; j++) mx = Math.max(mx, data[r * c + j]);
    let t = 0;
    for (let j = 0; j < c; j++) { const e = Math.exp(data[r * c + j] - mx); p[r * c + j] = e; t += e; }
    for (let j = 0; j < c; j++) p[r * c + j] /= t;
  }
  return { p, isProb };
}

function argmax(p: Float32Array, o: number, c: number): number {
  let best = 0;
  for (let j = 1; j < c; j++) if (p[o + j] > p[o + best]) best = j;
  return best;
}

/** The factored MatMul layer that feeds the output through Softmax/Add/Sub/Identity, if any. */
function finalLayer(model: Proto, outputName: string, layers: readonly OnnxLayer[]): OnnxLayer | undefined {
  const producer = new Map<string, Proto>();
  for (const n of model.graph.node as Proto[]) for (const o of n.output as string[]) producer.set(o, n);
  let name = outputName;
  for (let guard = 0; guard < 16; guard++) {
    const n = producer.get(name);
    if (!n) return undefined;
    if (n.op_type === 'MatMul') return layers.find((l) => l.node === n);
    if (!['Softmax', 'Add', 'Sub', 'Identity'].includes(n.op_type)) return undefined;
    // Follow the input that is not a constant.
    const next = (n.input as string[]).find((i) => producer.has(i) && producer.get(i)!.op_type !== 'Constant');
    if (!next) return undefined;
    name = next;
  }
  return undefined;
}

export async function evaluateOnnx(
  originalPath: string, compressedPath: string, inputs: readonly string[], ctx: { layers: readonly LayerReport[] },
): Promise<EvaluationReport> {
  const ort = await loadOnnxRuntime();
  const opts = { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 };
  const original = await ort.InferenceSession.create(originalPath, opts);
  const compressed = await ort.InferenceSession.create(compressedPath, opts);
  const inputNames: string[] = original.inputNames;
  const outputName: string = original.outputNames[0];
  const arrays = inputs.map(readNpyNd);
  const batches: Record<string, NdArray>[] = inputNames.length === 1
    ? arrays.map((a) => ({ [inputNames[0]]: a }))
    : [Object.fromEntries(inputNames.map((n, i) => {
      if (!arrays[i]) throw new ArgumentError(`--evaluate: the model has ${inputNames.length} inputs (${inputNames.join(', ')}), ${arrays.length} files were given`);
      return [n, arrays[i]];
    }))];
  const feeds = (b: Record<string, NdArray>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(b).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)]));

  let positions = 0, agree = 0, maxDev = 0, isProbAll = true;
  for (const b of batches) {
    const y = (await original.run(feeds(b)))[outputName];
    const yh = (await compressed.run(feeds(b)))[outputName];
    const c = y.dims[y.dims.length - 1] as number;
    const { p, isProb } = probabilities(y.data as Float32Array, c);
    const { p: ph } = probabilities(yh.data as Float32Array, c);
    isProbAll &&= isProb;
    for (let o = 0; o < p.length; o += c) {
      positions++;
      if (argmax(p, o, c) === argmax(ph, o, c)) agree++;
      for (let j = 0; j < c; j++) maxDev = Math.max(maxDev, Math.abs(p[o + j] - ph[o + j]));
    }
  }
  const report: EvaluationReport = {
    inputs: [...inputs], positions, top1Agreement: positions > 0 ? agree / positions : 1, maxSoftmaxDeviation: maxDev,
    outputName, outputIsProbability: isProbAll,
  };

  // The bound on the last factored layer, with only that layer factored.
  const origBytes = readFileSync(originalPath);
  const { model } = decodeOnnx(origBytes, originalPath);
  const om = analyzeOnnx(model, originalPath);
  const last = finalLayer(model, outputName, om.layers);
  const factoredNames = new Set(ctx.layers.filter((l) => l.status === 'factored').map((l) => l.tensor));
  if (!last || !factoredNames.has(last.weightDef.name)) {
    report.boundNote = last ? `the last layer before the output (${last.name}) was not factored` : 'no factored MatMul layer feeds the output through Softmax/Add: the bound is not checked';
    return report;
  }
  const cm = decodeOnnx(readFileSync(compressedPath), compressedPath).model;
  const names = factorNames(last.weightDef.name);
  const find = (g: Proto, n: string): Proto | undefined => (g.initializer as Proto[]).find((t) => t.name === n);
  const at = find(cm.graph, names.a), bt = find(cm.graph, names.b);
  if (!at || !bt) { report.boundNote = `the factors of ${last.weightDef.name} are not in the main graph of ${compressedPath}`; return report; }
  const a = tensorValues(at, compressedPath), bv = tensorValues(bt, compressedPath);
  const k = num(at.dims[1]);
  const m = last.weight.rows, n = last.weight.cols;
  const w = last.weight.readRows(0, m);
  const spectralError = spectralErrorOfFactors(w, m, n, a, bv, k);
  const x = last.node.input[0] as string;
  (model.graph.output as Proto[]).push({ name: x, type: { tensor_type: { elem_type: 1 } } });
  const probeBytes = applyOnnxFactors(om, [{ layer: last, rank: k, a, b: bv }]);
  // The original model with x as an extra output: only the output list changes.
  const capture = decodeOnnx(origBytes, originalPath).model;
  (capture.graph.output as Proto[]).push({ name: x, type: { tensor_type: { elem_type: 1 } } });
  const { modelProtoType } = await import('./onnx-schema.js');
  const captureBytes = modelProtoType().encode(capture).finish();
  const probe = await ort.InferenceSession.create(probeBytes, opts);
  const orig2 = await ort.InferenceSession.create(captureBytes, opts);
  const ratios: number[] = [];
  let violations = 0, maxD = 0, maxB = 0;
  for (const b of batches) {
    const r0 = await orig2.run(feeds(b));
    const r1 = await probe.run(feeds(b));
    const y = r0[outputName], yh = r1[outputName], xs = r0[x].data as Float32Array;
    const c = y.dims[y.dims.length - 1] as number;
    const { p } = probabilities(y.data as Float32Array, c);
    const { p: ph } = probabilities(yh.data as Float32Array, c);
    const rows = p.length / c;
    if (xs.length !== rows * m) { report.boundNote = `the captured input of ${last.name} has ${xs.length} values for ${rows} positions of width ${m}: not checked`; return report; }
    for (let r = 0; r < rows; r++) {
      let d = 0;
      for (let j = 0; j < c; j++) d = Math.max(d, Math.abs(p[r * c + j] - ph[r * c + j]));
      let x2 = 0;
      for (let j = 0; j < m; j++) x2 += xs[r * m + j] ** 2;
      const bound = 0.5 * spectralError * Math.sqrt(x2);
      // float32 inference rounds: allow 1e-6 absolute slack before calling it a violation.
      if (d > bound + 1e-6) violations++;
      if (bound > 0) ratios.push(d / bound);
      maxD = Math.max(maxD, d); maxB = Math.max(maxB, bound);
    }
  }
  ratios.sort((u, v) => u - v);
  report.bound = {
    layer: last.name, spectralError, positions: ratios.length, violations,
    maxRatio: ratios.length ? ratios[ratios.length - 1] : 0, medianRatio: ratios.length ? ratios[Math.floor(ratios.length / 2)] : 0,
    maxDeviation: maxD, maxBound: maxB,
  };
  return report;
}
