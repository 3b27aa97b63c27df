// `rangefinder compress` on ONNX: a model built here with protobufjs (MatMul with an initializer,
// Gemm with transB and a bias, a 1x1 Conv, a weight in a Constant node feeding a softmax, and a
// MatMul inside an If subgraph) is compressed by the real CLI; both models run in onnxruntime-node,
// and the compressed one must equal x A B computed here from the written factors, to rounding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { ensureBuilt, runCli } from './helpers/cli-harness.js';
import { modelProtoType } from '../streams/models/onnx-schema.js';
import { decodeOnnx, num, tensorValues, type Proto } from '../streams/models/read-onnx.js';
import type { CompressReport } from '../streams/models/compress-model.js';
import { testMatrix } from '../src/random/test-matrix.js';

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rf-onnx-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A seeded m x n matrix with singular values j^-0.5 (columns of two Gaussian blocks, not orthogonalised: enough spread). */
function weight(m: number, n: number, seed: number, scale = 1): Float32Array {
  const g = testMatrix('gaussian', seed, 'test-a', m, n).data;
  const out = new Float32Array(m * n);
  for (let i = 0; i < m * n; i++) out[i] = g[i] * scale / Math.sqrt(Math.max(m, n));
  return out;
}

function tensor(name: string, dims: number[], values: Float32Array): Proto {
  return { name, dims, data_type: 1, raw_data: new Uint8Array(values.buffer.slice(0)) };
}

function valueInfo(name: string, dims: (number | string)[]): Proto {
  return { name, type: { tensor_type: { elem_type: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } } };
}

const W = {
  mm: weight(64, 48, 1), gemm: weight(40, 48, 2), gemmC: weight(1, 40, 3), conv: weight(24, 32, 4), convB: weight(1, 24, 5),
  head: weight(40, 30, 6, 4), sub: weight(64, 50, 7),
};

function buildModel(): Uint8Array {
  const node = (op: string, input: string[], output: string[], attribute: Proto[] = [], name = output[0]) => ({ op_type: op, input, output, attribute, name });
  const then = {
    name: 'then', node: [node('MatMul', ['x', 'w_sub'], ['sub_out'])], initializer: [tensor('w_sub', [64, 50], W.sub)],
    output: [valueInfo('sub_out', ['N', 50])],
  };
  const otherwise = {
    name: 'else', node: [node('MatMul', ['x', 'w_sub_else'], ['sub_out_else'])], initializer: [tensor('w_sub_else', [64, 50], W.sub)],
    output: [valueInfo('sub_out_else', ['N', 50])],
  };
  const graph = {
    name: 'test',
    node: [
      node('MatMul', ['x', 'w_mm'], ['h1'], [], 'fc1'),
      node('Gemm', ['h1', 'w_gemm', 'c_gemm'], ['h2'], [{ name: 'transB', type: 2, i: 1 }, { name: 'alpha', type: 1, f: 0.5 }, { name: 'beta', type: 1, f: 2 }], 'fc2'),
      node('Constant', [], ['w_head'], [{ name: 'value', type: 4, t: tensor('', [40, 30], W.head) }], 'head_weight'),
      node('MatMul', ['h2', 'w_head'], ['logits'], [], 'head'),
      node('Softmax', ['logits'], ['probs'], [{ name: 'axis', type: 2, i: -1 }], 'softmax'),
      node('Conv', ['img', 'w_conv', 'b_conv'], ['conv_out'], [{ name: 'kernel_shape', type: 7, ints: [1, 1] }, { name: 'strides', type: 7, ints: [2, 2] }], 'pointwise'),
      node('If', ['cond'], ['sub'], [{ name: 'then_branch', type: 5, g: then }, { name: 'else_branch', type: 5, g: otherwise }], 'branch'),
    ],
    initializer: [
      tensor('w_mm', [64, 48], W.mm), tensor('w_gemm', [40, 48], W.gemm), tensor('c_gemm', [40], W.gemmC),
      tensor('w_conv', [24, 32, 1, 1], W.conv), tensor('b_conv', [24], W.convB),
      { name: 'cond', dims: [], data_type: 9, raw_data: new Uint8Array([1]) },
    ],
    input: [valueInfo('x', ['N', 64]), valueInfo('img', ['N', 32, 6, 6])],
    output: [valueInfo('probs', ['N', 30]), valueInfo('conv_out', ['N', 24, 3, 3]), valueInfo('sub', ['N', 50])],
  };
  return modelProtoType().encode({ ir_version: 8, opset_import: [{ domain: '', version: 13 }], producer_name: 'rangefinder-test', graph }).finish();
}

/** row-major (r x k) (k x c) */
function mul(a: Float32Array | Float64Array, b: Float32Array | Float64Array, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let t = 0; t < k; t++) { const x = a[i * k + t]; for (let j = 0; j < c; j++) out[i * c + j] += x * b[t * c + j]; }
  return out;
}
function transpose(a: Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}

function npyBytes(data: Float32Array, shape: number[]): Buffer {
  let h = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  h += ' '.repeat(63 - ((h.length + 10) % 64)) + '\n';
  const head = Buffer.alloc(10); head.write('\x93NUMPY', 0, 'latin1'); head[6] = 1; head[7] = 0; head.writeUInt16LE(h.length, 8);
  return Buffer.concat([head, Buffer.from(h, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

describe('compress: ONNX', () => {
  it('factors MatMul, Gemm (transB, alpha, beta, C), Constant-node and subgraph weights and 1x1 convs; onnxruntime runs x A B', async () => {
    const input = join(dir, 'model.onnx');
    writeFileSync(input, buildModel());
    const out = join(dir, 'small.onnx');
    const run = await runCli(['compress', input, '--alpha', '0.3', '--passes', '4', '--out', out, '--json']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CompressReport;
    const byName = Object.fromEntries(report.layers.map((l) => [l.name, l]));
    expect(Object.keys(byName).sort()).toEqual(['fc1', 'fc2', 'head', 'pointwise', 'sub_out', 'sub_out_else']);
    for (const l of report.layers) {
      expect(l.status, l.name).toBe('factored');
      expect(l.normalizedSpectralError!, l.name).toBeGreaterThanOrEqual(0.999);
      expect(l.normalizedSpectralError!, l.name).toBeLessThan(1.25);
    }
    expect(byName.fc1!.rank).toBe(14);
    expect(byName.pointwise!.shape).toEqual([24, 32]);

    // The written factors, read back from the compressed file.
    const { model } = decodeOnnx(readFileSync(out), out);
    const init = new Map<string, Proto>();
    const walk = (g: Proto): void => {
      for (const t of g.initializer as Proto[]) init.set(t.name, t);
      for (const n of g.node as Proto[]) for (const a of n.attribute as Proto[]) if (a.g) walk(a.g);
    };
    walk(model.graph);
    const f = (w: string) => {
      const a = init.get(`${w}.lowrank_A`)!, b = init.get(`${w}.lowrank_B`)!;
      return { a: tensorValues(a, out), b: tensorValues(b, out), aDims: (a.dims as unknown[]).map(num), bDims: (b.dims as unknown[]).map(num) };
    };
    for (const w of ['w_mm', 'w_gemm', 'w_head', 'w_conv', 'w_sub', 'w_sub_else']) expect(init.has(w), w).toBe(false);
    expect((model.graph.node as Proto[]).some((n) => n.op_type === 'Constant')).toBe(false);
    const mm = f('w_mm'), gemm = f('w_gemm'), head = f('w_head'), conv = f('w_conv'), sub = f('w_sub');
    expect(mm.aDims).toEqual([64, 14]); expect(mm.bDims).toEqual([14, 48]);
    expect(conv.aDims).toEqual([24, 7, 1, 1]); expect(conv.bDims).toEqual([7, 32, 1, 1]);

    const N = 5;
    const x = Float32Array.from(testMatrix('gaussian', 9, 'test-x', N, 64).data);
    const img = Float32Array.from(testMatrix('gaussian', 10, 'test-b', N, 32 * 36).data);
    const feeds = { x: new ort.Tensor('float32', x, [N, 64]), img: new ort.Tensor('float32', img, [N, 32, 6, 6]) };
    const orig = await (await ort.InferenceSession.create(input)).run(feeds);
    const comp = await (await ort.InferenceSession.create(out)).run(feeds);

    // x A B for each layer, in float64 from the stored factors.
    const h1 = mul(mul(x, mm.a, N, 64, 14), mm.b, N, 14, 48);
    const k2 = gemm.aDims[1];
    // Gemm with transB: W (40 x 48) ~ A B; Y = 0.5 h1 (A B)^T + 2 C = 0.5 (h1 B^T) A^T + 2 C
    const t = mul(h1, transpose(gemm.b, k2, 48), N, 48, k2);
    const h2 = mul(t, transpose(gemm.a, 40, k2), N, k2, 40);
    for (let i = 0; i < N; i++) for (let j = 0; j < 40; j++) h2[i * 40 + j] = 0.5 * h2[i * 40 + j] + 2 * W.gemmC[j];
    const kh = head.aDims[1];
    const logits = mul(mul(h2, head.a, N, 40, kh), head.b, N, kh, 30);
    const probs = new Float64Array(N * 30);
    for (let i = 0; i < N; i++) {
      let mx = -Infinity, s = 0;
      for (let j = 0; j < 30; j++) mx = Math.max(mx, logits[i * 30 + j]);
      for (let j = 0; j < 30; j++) { probs[i * 30 + j] = Math.exp(logits[i * 30 + j] - mx); s += probs[i * 30 + j]; }
      for (let j = 0; j < 30; j++) probs[i * 30 + j] /= s;
    }
    const got = comp.probs!.data as Float32Array;
    for (let i = 0; i < probs.length; i++) expect(Math.abs(got[i] - probs[i])).toBeLessThan(2e-6);
    // The subgraph: x A B.
    const subExpected = mul(mul(x, sub.a, N, 64, sub.aDims[1]), sub.b, N, sub.aDims[1], 50);
    const subGot = comp.sub!.data as Float32Array;
    for (let i = 0; i < subExpected.length; i++) expect(Math.abs(subGot[i] - subExpected[i])).toBeLessThan(1e-5 * (1 + Math.abs(subExpected[i])));
    // The 1x1 conv with stride 2: pixel (i, j) of the output is A B img[:, 2i, 2j] + bias.
    const kc = conv.aDims[1];
    const ab = mul(conv.a, conv.b, 24, kc, 32);
    const convGot = comp.conv_out!.data as Float32Array;
    for (let n = 0; n < N; n++) for (let o = 0; o < 24; o++) for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) {
      let e = W.convB[o];
      for (let c = 0; c < 32; c++) e += ab[o * 32 + c] * img[n * 32 * 36 + c * 36 + (2 * p) * 6 + 2 * q];
      expect(Math.abs(convGot[((n * 24 + o) * 3 + p) * 3 + q] - e)).toBeLessThan(1e-5 * (1 + Math.abs(e)));
    }
    // And the compressed model is an approximation of the original, not something else: its output
    // distributions are closer to the original's (total variation summed over the inputs) than the
    // original's outputs are to each other (the same distributions paired with another input: the
    // distance of an unrelated answer). The layers are random (flat spectra), so rank 14 of 48 keeps
    // only part of them: closer, not close.
    const op = orig.probs!.data as Float32Array;
    const tv = (a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number) => {
      let d = 0;
      for (let c = 0; c < 30; c++) d += Math.abs(a[i * 30 + c] - b[j * 30 + c]);
      return d / 2;
    };
    let near = 0, unrelated = 0;
    for (let i = 0; i < N; i++) { near += tv(op, i, got, i); unrelated += tv(op, i, op, (i + 1) % N); }
    expect(near).toBeGreaterThan(0);
    expect(near).toBeLessThan(unrelated);
  });

  it('--evaluate: top-1 agreement, softmax deviation and the bound on the captured inputs (never violated)', async () => {
    const input = join(dir, 'model.onnx');
    writeFileSync(input, buildModel());
    const N = 64;
    const xs = join(dir, 'x.npy'), imgs = join(dir, 'img.npy');
    writeFileSync(xs, npyBytes(Float32Array.from(testMatrix('gaussian', 21, 'test-x', N, 64).data), [N, 64]));
    writeFileSync(imgs, npyBytes(Float32Array.from(testMatrix('gaussian', 22, 'test-b', N, 32 * 36).data), [N, 32, 6, 6]));
    const results: CompressReport[] = [];
    for (const alpha of ['0.5', '0.2']) {
      const run = await runCli(['compress', input, '--alpha', alpha, '--out', join(dir, `eval-${alpha}.onnx`), '--evaluate', `${xs},${imgs}`, '--json']);
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.code).toBe(0);
      results.push(JSON.parse(run.stdout) as CompressReport);
    }
    for (const r of results) {
      const e = r.evaluation!;
      expect(e.positions).toBe(N);
      expect(e.outputName).toBe('probs');
      expect(e.outputIsProbability).toBe(true);
      expect(e.boundNote).toBeUndefined();
      expect(e.bound!.layer).toBe('head');
      expect(e.bound!.positions).toBe(N);
      expect(e.bound!.violations).toBe(0);
      expect(e.bound!.maxRatio).toBeLessThanOrEqual(1);
      expect(e.bound!.maxRatio).toBeGreaterThan(0);
    }
    // Lower rank: larger deviation and lower agreement (or equal, never better by much).
    expect(results[1].evaluation!.maxSoftmaxDeviation).toBeGreaterThan(results[0].evaluation!.maxSoftmaxDeviation);
    expect(results[0].evaluation!.top1Agreement).toBeGreaterThanOrEqual(results[1].evaluation!.top1Agreement);
  });

  it('IR 3 (initializers listed as inputs) and a weight shared by two MatMuls: factored once, runs in onnxruntime', async () => {
    const w = weight(48, 40, 31);
    const graph = {
      name: 'g',
      node: [
        { op_type: 'MatMul', input: ['x', 'w'], output: ['y1'], name: 'first', attribute: [] },
        { op_type: 'MatMul', input: ['x2', 'w'], output: ['y2'], name: 'second', attribute: [] },
      ],
      initializer: [tensor('w', [48, 40], w)],
      input: [valueInfo('x', ['N', 48]), valueInfo('x2', ['N', 48]), valueInfo('w', [48, 40])],
      output: [valueInfo('y1', ['N', 40]), valueInfo('y2', ['N', 40])],
    };
    const input = join(dir, 'ir3.onnx'), out = join(dir, 'ir3-small.onnx');
    writeFileSync(input, modelProtoType().encode({ ir_version: 3, opset_import: [{ domain: '', version: 9 }], graph }).finish());
    const run = await runCli(['compress', input, '--alpha', '0.25', '--out', out, '--json']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CompressReport;
    expect(report.layers.map((l) => [l.name, l.status, l.paramsAfter])).toEqual([['first', 'factored', 10 * 88], ['second', 'factored', 0]]);
    expect(report.layers[1].reason).toMatch(/shares its weight/);
    expect(report.totals.layerParamsBefore).toBe(48 * 40);
    const N = 3, x = Float32Array.from(testMatrix('gaussian', 5, 'test-x', N, 48).data);
    const r = await (await ort.InferenceSession.create(out)).run({ x: new ort.Tensor('float32', x, [N, 48]), x2: new ort.Tensor('float32', x, [N, 48]) });
    const y1 = r.y1!.data as Float32Array, y2 = r.y2!.data as Float32Array;
    for (let i = 0; i < y1.length; i++) expect(y2[i]).toBe(y1[i]);
    const { model } = decodeOnnx(readFileSync(out), out);
    expect((model.graph.input as Proto[]).map((v) => v.name).sort()).toEqual(['w.lowrank_A', 'w.lowrank_B', 'x', 'x2']);
    expect((model.graph.initializer as Proto[]).length).toBe(2);
  });

  it('bad input: not protobuf, a 3x3 conv named by --layers: exit 2, one line, nothing written', async () => {
    const d = mkdtempSync(join(tmpdir(), 'rf-bad-onnx-'));
    try {
      const p = join(d, 'bad.onnx');
      writeFileSync(p, Buffer.from('this is not a protobuf message at all \xff\xff\xff\xff'));
      let run = await runCli(['compress', p, '--alpha', '0.5', '--out', join(d, 'o.onnx')]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n').length).toBe(1);
      expect(run.stderr).toContain(`rangefinder: ${p} is not an ONNX model`);
      // A 3x3 convolution.
      const graph = {
        name: 'g', node: [{ op_type: 'Conv', input: ['img', 'w3'], output: ['y'], name: 'conv3', attribute: [] }],
        initializer: [tensor('w3', [8, 4, 3, 3], weight(8, 36, 3))], input: [valueInfo('img', [1, 4, 5, 5])], output: [valueInfo('y', [1, 8, 3, 3])],
      };
      const q = join(d, 'conv.onnx');
      writeFileSync(q, modelProtoType().encode({ ir_version: 8, opset_import: [{ domain: '', version: 13 }], graph }).finish());
      run = await runCli(['compress', q, '--alpha', '0.5', '--layers', 'w3', '--out', join(d, 'o.onnx')]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(`rangefinder: ${q}: tensor 'w3' is the weight of Conv node 'conv3' with kernel 3 x 3: expected a 1 x 1 convolution with group 1`);
      expect(existsSync(join(d, 'o.onnx'))).toBe(false);
      expect(readdirSync(d).sort()).toEqual(['bad.onnx', 'conv.onnx']);
    } finally { rmSync(d, { recursive: true, force: true }); }
  });
});
