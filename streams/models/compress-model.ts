/**
 * `compressModel(input, opts)`: low-rank compression of a pretrained model file, the library form
 * of `rangefinder compress`.
 *
 * Each selected layer's weight W (m x n) is replaced by a rank-k factorization W ~ A B with
 * k = floor(alpha min(m, n)), A = U diag(S)^1/2 (m x k), B = diag(S)^1/2 V^T (k x n), computed by
 * randomized subspace iteration with q = passes - 1 power iterations (p = 10, Gaussian test matrix)
 * or by the exact truncated SVD (`method: 'exact'`). A layer where k (m + n) >= m n would not get
 * smaller and is kept as it is (the report says which and why). Layers that do not fit the memory
 * budget are streamed from the file (factor-layer.ts), so a model larger than memory compresses.
 *
 * Output in the input's format (ONNX: write-onnx.ts; safetensors: the factor pair per layer,
 * `<name>.lowrank_A` (m x k) and `<name>.lowrank_B` (k x n) in the weight's dtype, with
 * `__metadata__["rangefinder.lowrank"]` listing them; TensorFlow.js: the same pair in a new weights
 * manifest), written under temporary names and renamed when everything succeeded.
 *
 * The report, per layer: shape, rank, the spectral error ||W - A B||_2 (Lanczos on the implicit
 * difference), normalized by sigma_{k+1} (from the layer's exact SVD, the baseline), the Frobenius
 * error, parameters before and after, the time, and the exact SVD's time; totals: the parameter
 * ratio of the factored layers and of the whole model, and the time against the exact SVDs.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { lastValueFrom, tap } from 'rxjs';
import { ArgumentError, FormatError } from '../../src/internals.js';
import { factorLayer, type LayerFactorization } from './factor-layer.js';
import type { ModelFormat, ModelLayer } from './model-types.js';
import { describeOnnxWeight, num, readOnnx, type OnnxModel, type Proto } from './read-onnx.js';
import { readSafetensors, readExactly, type SafetensorsModel } from './read-safetensors.js';
import { readTfjs, type TfjsModel } from './read-tfjs.js';
import { applyOnnxFactors, type OnnxFactors } from './write-onnx.js';
import { beginSafetensors, encodeValues, itemSize, type OutTensor, type PendingSafetensors } from './write-safetensors.js';
import { writeTfjs } from './write-tfjs.js';
import { closeSync, openSync } from 'node:fs';
import type { EvaluationReport } from './evaluate-onnx.js';

export interface CompressOptions {
  /** k = floor(alpha min(m, n)); 0 < alpha <= 1. */
  alpha: number;
  /** Passes over each layer for RSI: q = passes - 1 power iterations (default 3). */
  passes?: number;
  /** 'rsi' (default) or 'exact' (the truncated SVD of every layer). */
  method?: 'rsi' | 'exact';
  /** Glob patterns (* and ?) on layer or tensor names; default every factorable layer. */
  layers?: readonly string[];
  /** Leave layers with fewer than this many weights as they are (default 0). */
  minSize?: number;
  /** Output path: a .onnx file, a .safetensors file (or index .json for a sharded input), a model.json. */
  out: string;
  /** Also write the report as JSON here. */
  report?: string;
  /** Bytes the numeric state of one layer may use (default 512 MiB). */
  memoryBudget?: number;
  seed?: number;
  /** Run the exact SVD of every layer that fits in memory (time baseline, sigma_{k+1}); default true. */
  baseline?: boolean;
  /** Lanczos steps for the spectral error (default 100). */
  lanczosSteps?: number;
  tmpDir?: string;
  /** ONNX only: inputs (.npy files, one per model input, comma-separated sets) to run both models on. */
  evaluate?: readonly string[];
  /** Called after each layer. */
  onLayer?: (r: LayerReport) => void;
}

export interface LayerReport {
  name: string;
  kind: string;
  tensor: string;
  /** The matrix: rows x cols of the stored weight (see model-types.ts). */
  shape: [number, number];
  storedShape: number[];
  dtype: string;
  status: 'factored' | 'kept';
  /** Why a layer was kept. */
  reason?: string;
  rank: number;
  mode?: 'memory' | 'streamed';
  passes?: number;
  oversamples?: number;
  sigma1?: number;
  /** sigma_{k+1} of W (exact SVD), when the baseline ran. */
  sigmaNext?: number | null;
  /** ||W - A B||_2 by Lanczos on the implicit difference (in-memory layers). */
  spectralError?: number | null;
  /** ||W - A B||_2 / sigma_{k+1}: 1 is optimal; null without the baseline or when sigma_{k+1} <= 1e-6 sigma_1 (W has numerical rank <= k). */
  normalizedSpectralError?: number | null;
  frobeniusError?: number;
  relativeFrobeniusError?: number;
  paramsBefore: number;
  paramsAfter: number;
  seconds?: number;
  exactSeconds?: number | null;
}

export interface CompressReport {
  input: string;
  output: string;
  format: ModelFormat;
  alpha: number;
  method: 'rsi' | 'exact';
  passes: number;
  seed: number;
  memoryBudget: number;
  layers: LayerReport[];
  totals: {
    layersFactored: number;
    layersKept: number;
    /** Weights of the candidate layers before and after, and their ratio. */
    layerParamsBefore: number;
    layerParamsAfter: number;
    layerParameterRatio: number;
    /** Every float weight of the model before and after, and their ratio. */
    modelParamsBefore: number;
    modelParamsAfter: number;
    parameterRatio: number;
    /** Factorization time of the factored layers, the exact SVD of the same layers, their ratio. */
    factorSeconds: number;
    exactSeconds: number | null;
    exactOverFactor: number | null;
    seconds: number;
  };
  /** Names of the files written. */
  files: string[];
  peakRssBytes: number;
  notes: string[];
  evaluation?: EvaluationReport;
}

export const DEFAULT_COMPRESS_BUDGET = 512 * 2 ** 20;
export const DEFAULT_COMPRESS_PASSES = 3;

/** Which format a path holds, from its name (and for .json, its content). */
export function modelFormatOf(path: string): ModelFormat {
  if (path.endsWith('.onnx')) return 'onnx';
  if (path.endsWith('.safetensors') || path.endsWith('.safetensors.index.json')) return 'safetensors';
  if (path.endsWith('.json')) return 'tfjs';
  throw new ArgumentError(`${path}: unknown model format: expected .onnx, .safetensors, a *.safetensors.index.json or a TensorFlow.js model.json / weights manifest`);
}

function globToRegExp(glob: string): RegExp {
  const esc = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

interface Decision { layer: ModelLayer; rank: number; factor: boolean; reason?: string }

function decide(layers: readonly ModelLayer[], opts: CompressOptions, describe: (name: string) => string | undefined, input: string): Decision[] {
  const pats = opts.layers?.map(globToRegExp);
  const minSize = opts.minSize ?? 0;
  const out: Decision[] = [];
  const matched = new Set<number>();
  for (const layer of layers) {
    const w = layer.weight;
    if (pats) {
      const i = pats.findIndex((p) => p.test(layer.name) || p.test(w.name));
      if (i < 0) continue;
      matched.add(i);
    }
    const k = Math.max(1, Math.floor(opts.alpha * Math.min(w.rows, w.cols)));
    const d: Decision = { layer, rank: k, factor: false };
    if (layer.refusal) d.reason = layer.refusal;
    else if (w.rows * w.cols < minSize) d.reason = `${w.rows * w.cols} weights < --min-size ${minSize}`;
    else if (k * (w.rows + w.cols) >= w.rows * w.cols) d.reason = `rank ${k} would not reduce parameters: k (m + n) = ${k * (w.rows + w.cols)} >= m n = ${w.rows * w.cols}`;
    else d.factor = true;
    out.push(d);
  }
  if (pats) {
    // A pattern naming a tensor that is not a factorable layer is a mistake worth stopping for.
    opts.layers!.forEach((g, i) => {
      if (matched.has(i)) return;
      const why = describe(g);
      if (why) throw new FormatError(`${input}: tensor '${g}' ${why}`);
      throw new ArgumentError(`--layers ${g}: matches no layer of ${input}`);
    });
  }
  return out;
}

/** A = U diag(sqrt s) (m x k, from a block of U rows), float32. */
function scaleRows(u: Float64Array | Float32Array, rows: number, r: number, k: number, sq: Float64Array): Float32Array {
  const a = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) for (let j = 0; j < r; j++) a[i * k + j] = u[i * r + j] * sq[j];
  return a;
}

/** B = diag(sqrt s) V^T (k x n), float32. */
function rightFactor(f: LayerFactorization, k: number): Float32Array {
  const v = f.v, n = v.rows, r = Math.min(v.cols, k);
  const b = new Float32Array(k * n);
  for (let j = 0; j < r; j++) {
    const sj = Math.sqrt(f.s[j]);
    for (let c = 0; c < n; c++) b[j * n + c] = sj * v.data[v.offset + c * v.stride + j];
  }
  return b;
}

function sqrtS(f: LayerFactorization, k: number): Float64Array {
  const sq = new Float64Array(k);
  for (let j = 0; j < Math.min(k, f.s.length); j++) sq[j] = Math.sqrt(f.s[j]);
  return sq;
}

/** The whole A (m x k) of an in-memory or streamed factorization. */
async function leftFactor(f: LayerFactorization, m: number, k: number): Promise<Float32Array> {
  const sq = sqrtS(f, k);
  if (f.u) return scaleRows(f.u.data, m, f.u.cols, k, sq);
  const a = new Float32Array(m * k);
  await lastValueFrom(f.uBlocks!().pipe(tap((blk) => a.set(scaleRows(blk.data, blk.rows, blk.cols, k, sq), blk.rowStart * k))), { defaultValue: undefined });
  return a;
}

function baseReport(d: Decision): LayerReport {
  const w = d.layer.weight;
  return {
    name: d.layer.name, kind: d.layer.kind, tensor: w.name, shape: [w.rows, w.cols], storedShape: [...w.shape], dtype: w.dtype,
    status: d.factor ? 'factored' : 'kept', ...(d.reason ? { reason: d.reason } : {}), rank: d.factor ? d.rank : Math.min(w.rows, w.cols),
    paramsBefore: w.rows * w.cols, paramsAfter: d.factor ? d.rank * (w.rows + w.cols) : w.rows * w.cols,
  };
}

function fill(r: LayerReport, f: LayerFactorization): void {
  r.mode = f.mode; r.passes = f.passes; r.oversamples = f.oversamples;
  r.sigma1 = f.s[0] ?? 0;
  r.sigmaNext = f.sigmaNext;
  r.spectralError = f.spectralError;
  // sigma_{k+1} at rounding level (W of numerical rank <= k): the ratio would measure rounding only.
  const meaningful = f.sigmaNext !== null && f.sigmaNext > 1e-6 * (f.s[0] ?? 0);
  r.normalizedSpectralError = f.spectralError !== null && meaningful ? f.spectralError / f.sigmaNext! : null;
  r.frobeniusError = f.frobeniusError;
  r.relativeFrobeniusError = f.frobeniusNorm > 0 ? f.frobeniusError / f.frobeniusNorm : 0;
  r.seconds = f.seconds;
  r.exactSeconds = f.exactSeconds;
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export async function compressModel(input: string, opts: CompressOptions): Promise<CompressReport> {
  const t0 = performance.now();
  if (!(opts.alpha > 0 && opts.alpha <= 1)) throw new ArgumentError(`alpha must be in (0, 1], found ${opts.alpha}`);
  const method = opts.method ?? 'rsi';
  const passes = method === 'exact' ? 1 : opts.passes ?? DEFAULT_COMPRESS_PASSES;
  if (!Number.isInteger(passes) || passes < 1) throw new ArgumentError(`passes must be a positive integer, found ${passes}`);
  const seed = opts.seed ?? 0;
  const memoryBudget = opts.memoryBudget ?? DEFAULT_COMPRESS_BUDGET;
  const format = modelFormatOf(input);
  if (opts.out === input) throw new ArgumentError(`--out ${opts.out} is the input: write the compressed model to another file`);
  const outFormat = modelFormatOf(opts.out);
  if (outFormat !== format) throw new ArgumentError(`--out ${opts.out}: the output is written in the input's format (${format}); name it accordingly`);
  if (opts.evaluate && format !== 'onnx') throw new ArgumentError('--evaluate runs ONNX models (onnxruntime-node); the input is not ONNX');
  const factorOpts = {
    method, passes, seed, memoryBudget, baseline: opts.baseline ?? true,
    ...(opts.lanczosSteps !== undefined ? { lanczosSteps: opts.lanczosSteps } : {}),
    ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}),
  };
  const reports: LayerReport[] = [];
  const notes: string[] = [];
  const files: string[] = [];
  let modelBefore = 0, modelAfter = 0;
  const factorOne = async (d: Decision): Promise<{ f: LayerFactorization; r: LayerReport }> => {
    const r = baseReport(d);
    const f = await factorLayer(d.layer.weight, { ...factorOpts, rank: d.rank });
    fill(r, f);
    return { f, r };
  };
  const done = (r: LayerReport): void => { reports.push(r); opts.onLayer?.(r); };

  let evaluation: EvaluationReport | undefined;
  if (format === 'onnx') {
    const m = readOnnx(input);
    if (!m.lossless) notes.push(`${input} uses protobuf fields unknown to rangefinder's ONNX schema; they are dropped from the output`);
    const decisions = decide(m.layers, opts, (n) => describeOnnxWeight(m, n), input);
    const factors: OnnxFactors[] = [];
    const byWeight = new Map<string, OnnxFactors>();
    for (const d of decisions) {
      if (!d.factor) { done(baseReport(d)); continue; }
      const layer = m.layers.find((l) => l === d.layer)!;
      const shared = byWeight.get(layer.weightDef.name);
      if (shared) {
        // Counted once, with the first layer that uses the weight.
        factors.push({ ...shared, layer });
        done({ ...baseReport(d), reason: 'shares its weight with an earlier layer: factored once, counted there', paramsBefore: 0, paramsAfter: 0 });
        continue;
      }
      const { f, r } = await factorOne(d);
      const of: OnnxFactors = { layer, rank: d.rank, a: await leftFactor(f, layer.weight.rows, d.rank), b: rightFactor(f, d.rank) };
      f.dispose();
      factors.push(of); byWeight.set(layer.weightDef.name, of);
      done(r);
    }
    modelBefore = countOnnxParams(m);
    const bytes = applyOnnxFactors(m, factors);
    modelAfter = countOnnxParams(m);
    writeAtomic(opts.out, bytes);
    files.push(opts.out);
    if (opts.evaluate) {
      const { evaluateOnnx } = await import('./evaluate-onnx.js');
      evaluation = await evaluateOnnx(input, opts.out, opts.evaluate, { layers: reports });
    }
  } else if (format === 'safetensors') {
    const m = readSafetensors(input);
    const decisions = decide(m.layers, opts, (n) => describeSafetensor(m, n), input);
    const res = await compressSafetensors(m, decisions, opts.out, factorOne, done, notes);
    modelBefore = res.before; modelAfter = res.after; files.push(...res.files);
  } else {
    const m = readTfjs(input);
    const decisions = decide(m.layers, opts, (n) => describeTfjs(m, n), input);
    const factored = new Map<string, { rank: number; a: Float32Array; b: Float32Array }>();
    for (const d of decisions) {
      if (!d.factor) { done(baseReport(d)); continue; }
      const { f, r } = await factorOne(d);
      factored.set(d.layer.weight.name, { rank: d.rank, a: await leftFactor(f, d.layer.weight.rows, d.rank), b: rightFactor(f, d.rank) });
      f.dispose();
      done(r);
    }
    const res = writeTfjs(m, factored, opts.out);
    modelBefore = res.before; modelAfter = res.after; files.push(...res.files);
  }

  const fact = reports.filter((r) => r.status === 'factored' && r.seconds !== undefined);
  const factorSeconds = fact.reduce((t, r) => t + r.seconds!, 0);
  const withExact = fact.filter((r) => typeof r.exactSeconds === 'number');
  const exactSeconds = withExact.length === fact.length && fact.length > 0 ? withExact.reduce((t, r) => t + r.exactSeconds!, 0) : null;
  const streamed = fact.filter((r) => r.mode === 'streamed').length;
  if (streamed > 0) notes.push(`${streamed} layers were streamed from the file (too large for the memory budget): no exact SVD baseline and no spectral error for them`);
  const lb = reports.reduce((t, r) => t + r.paramsBefore, 0);
  const la = reports.reduce((t, r) => t + r.paramsAfter, 0);
  const report: CompressReport = {
    input, output: opts.out, format, alpha: opts.alpha, method, passes, seed, memoryBudget, layers: reports,
    totals: {
      layersFactored: reports.filter((r) => r.status === 'factored').length,
      layersKept: reports.filter((r) => r.status === 'kept').length,
      layerParamsBefore: lb, layerParamsAfter: la, layerParameterRatio: lb > 0 ? la / lb : 1,
      modelParamsBefore: modelBefore, modelParamsAfter: modelAfter, parameterRatio: modelBefore > 0 ? modelAfter / modelBefore : 1,
      factorSeconds, exactSeconds, exactOverFactor: exactSeconds !== null && factorSeconds > 0 ? exactSeconds / factorSeconds : null,
      seconds: (performance.now() - t0) / 1000,
    },
    files, peakRssBytes: peakRss(), notes,
    ...(evaluation ? { evaluation } : {}),
  };
  if (opts.report) {
    writeAtomic(opts.report, new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
  }
  return report;
}

function writeAtomic(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function countOnnxParams(m: OnnxModel): number {
  let t = 0;
  const seen = new Set<Proto>();
  const add = (x: Proto): void => {
    if (seen.has(x)) return;
    seen.add(x);
    const dt = num(x.data_type);
    if (dt === 1 || dt === 10 || dt === 11 || dt === 16) t += (x.dims as unknown[]).map(num).reduce((a, b) => a * b, 1);
  };
  const walk = (g: Proto): void => {
    for (const x of g.initializer as Proto[]) add(x);
    for (const n of g.node as Proto[]) {
      for (const a of n.attribute as Proto[]) {
        if (n.op_type === 'Constant' && a.t) add(a.t);
        if (a.g) walk(a.g);
        for (const s of a.graphs ?? []) walk(s);
      }
    }
  };
  walk(m.model.graph);
  return t;
}

function describeSafetensor(m: SafetensorsModel, name: string): string | undefined {
  for (const s of m.shards) {
    const t = s.tensors.find((x) => x.name === name);
    if (!t) continue;
    if (!['F32', 'F16', 'BF16', 'F64'].includes(t.dtype)) return `is ${t.dtype}: expected F32, F16, BF16 or F64`;
    if (t.shape.length === 4) return `has shape [${t.shape.join(', ')}]: expected a 2-D tensor or a 1 x 1 convolution (out, in, 1, 1)`;
    return `has shape [${t.shape.join(', ')}]: expected a 2-D tensor`;
  }
  return undefined;
}

function describeTfjs(m: TfjsModel, name: string): string | undefined {
  const w = m.weights.find((x) => x.name === name);
  if (!w) return undefined;
  if (w.shape.length === 4) return `has shape [${w.shape.join(', ')}]: expected a 2-D kernel or a 1 x 1 convolution kernel (1, 1, in, out)`;
  return `has shape [${w.shape.join(', ')}] (${w.dtype}): expected a 2-D float kernel`;
}

const SAFE_DTYPE: Record<string, string> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16', float64: 'F64' };

async function compressSafetensors(
  m: SafetensorsModel, decisions: Decision[], out: string,
  factorOne: (d: Decision) => Promise<{ f: LayerFactorization; r: LayerReport }>,
  done: (r: LayerReport) => void, notes: string[],
): Promise<{ before: number; after: number; files: string[] }> {
  const byName = new Map(decisions.map((d) => [d.layer.weight.name, d]));
  const sharded = m.index !== undefined;
  const outDir = dirname(out);
  const pending: PendingSafetensors[] = [];
  const specs: { target: string; tensors: OutTensor[]; metadata: Record<string, string> }[] = [];
  const weightMap: Record<string, string> = {};
  const lowrank: Record<string, { rank: number; shape: number[]; A: string; B: string }> = {};
  let before = 0, after = 0;
  for (const shard of m.shards) {
    const target = sharded ? join(outDir, basename(shard.path)) : out;
    if (sharded && target === shard.path) throw new ArgumentError(`--out ${out}: writing the shards beside it would overwrite the input shard ${shard.path}`);
    const tensors: OutTensor[] = [];
    for (const t of shard.tensors) {
      const count = t.shape.reduce((a, b) => a * b, 1);
      const isFloat = ['F32', 'F16', 'BF16', 'F64'].includes(t.dtype);
      if (isFloat) before += count;
      const d = byName.get(t.name);
      if (!d || !d.factor) {
        if (isFloat) after += count;
        if (d) done(baseReport(d));
        weightMap[t.name] = basename(target);
        tensors.push({
          name: t.name, dtype: t.dtype, shape: t.shape, byteLength: t.byteLength,
          write: async (put) => copyBytes(t.path, t.offset, t.byteLength, put),
        });
        continue;
      }
      const w = d.layer.weight, k = d.rank;
      const dtype = SAFE_DTYPE[w.dtype];
      const conv = t.shape.length === 4;
      const aShape = conv ? [w.rows, k, 1, 1] : [w.rows, k];
      const bShape = conv ? [k, w.cols, 1, 1] : [k, w.cols];
      const names = { a: `${t.name}.lowrank_A`, b: `${t.name}.lowrank_B` };
      after += k * (w.rows + w.cols);
      lowrank[t.name] = { rank: k, shape: [...t.shape], A: names.a, B: names.b };
      weightMap[names.a] = basename(target); weightMap[names.b] = basename(target);
      let bBytes: Uint8Array | undefined;
      const isz = itemSize(dtype);
      tensors.push({
        name: names.a, dtype, shape: aShape, byteLength: w.rows * k * isz,
        write: async (put) => {
          const { f, r } = await factorOne(d);
          try {
            const sq = sqrtS(f, k);
            if (f.u) put(encodeValues(scaleRows(f.u.data, w.rows, f.u.cols, k, sq), dtype), 0);
            else {
              await lastValueFrom(f.uBlocks!().pipe(tap((blk) => {
                put(encodeValues(scaleRows(blk.data, blk.rows, blk.cols, k, sq), dtype), blk.rowStart * k * isz);
              })), { defaultValue: undefined });
            }
            bBytes = encodeValues(rightFactor(f, k), dtype);
          } finally {
            f.dispose();
          }
          done(r);
        },
      }, {
        name: names.b, dtype, shape: bShape, byteLength: k * w.cols * isz,
        write: async (put) => { put(bBytes!, 0); bBytes = undefined; },
      });
    }
    specs.push({ target, tensors, metadata: { ...shard.metadata } });
  }
  // Every shard's header carries the map of factored tensors (sizes are known before any data).
  const lowrankJson = JSON.stringify(lowrank);
  for (const sp of specs) {
    pending.push(beginSafetensors(sp.target, sp.tensors, Object.keys(lowrank).length > 0 ? { ...sp.metadata, 'rangefinder.lowrank': lowrankJson } : sp.metadata));
  }
  try {
    for (const p of pending) await p.fill();
    for (const p of pending) p.commit();
  } catch (e) {
    for (const p of pending) p.abort();
    throw e;
  }
  const files = pending.map((p) => p.path);
  if (sharded) {
    const index = { metadata: { ...(m.index!.metadata ?? {}), 'rangefinder.lowrank': lowrank }, weight_map: weightMap };
    writeAtomic(out, new TextEncoder().encode(`${JSON.stringify(index, null, 2)}\n`));
    files.push(out);
  }
  if (Object.keys(lowrank).length === 0) notes.push('no layer was factored: the output holds the same tensors');
  return { before, after, files };
}

function copyBytes(path: string, offset: number, length: number, put: (b: Uint8Array, o: number) => void): void {
  const fd = openSync(path, 'r');
  try {
    const chunk = 8 << 20;
    const buf = new Uint8Array(Math.min(chunk, Math.max(1, length)));
    for (let o = 0; o < length; o += chunk) {
      const len = Math.min(chunk, length - o);
      readExactly(fd, buf, 0, len, offset + o, path);
      put(buf.subarray(0, len), o);
    }
  } finally {
    closeSync(fd);
  }
}
