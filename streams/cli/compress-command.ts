/**
 * `rangefinder compress MODEL --alpha A --out FILE`: low-rank compression of a pretrained model
 * (ONNX, safetensors, TensorFlow.js) by `compressModel` (streams/models/compress-model.ts); prints
 * one line per layer and the totals (or the report as JSON with --json), writes the report with
 * --report, and with --evaluate runs both models on the given inputs (onnxruntime-node).
 */
import { existsSync, statSync } from 'node:fs';
import { compressModel, DEFAULT_COMPRESS_BUDGET, DEFAULT_COMPRESS_PASSES, type CompressReport, type LayerReport } from '../models/compress-model.js';
import { parseCommandLine, positiveInt } from './approx-args.js';
import type { CommandIo } from './approx-command.js';
import { COMPRESS_HELP } from './help-text.js';
import { parseByteSize } from './parse-byte-size.js';
import { UsageError } from './usage-error.js';

export async function compressCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine(argv, 'compress', {
    alpha: { type: 'string' }, passes: { type: 'string' }, method: { type: 'string' }, layers: { type: 'string' },
    'min-size': { type: 'string' }, out: { type: 'string', short: 'o' }, report: { type: 'string' },
    'memory-budget': { type: 'string' }, seed: { type: 'string' }, evaluate: { type: 'string' },
    'no-baseline': { type: 'boolean' }, 'lanczos-steps': { type: 'string' }, json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
  });
  const v = parsed.values;
  if (v.help) { io.stdout.write(COMPRESS_HELP); return 0; }
  if (parsed.positionals.length !== 1) throw new UsageError(`compress takes one model file, found ${parsed.positionals.length} (see rangefinder compress --help)`);
  const input = parsed.positionals[0];
  if (!existsSync(input)) throw new UsageError(`${input}: no such file`);
  if (statSync(input).isDirectory()) throw new UsageError(`${input}: is a directory, expected a model file (.onnx, .safetensors, *.safetensors.index.json, model.json)`);
  if (v.alpha === undefined) throw new UsageError('compress needs --alpha A (rank k = floor(A min(m, n)) per layer, 0 < A <= 1)');
  const alpha = Number(v.alpha);
  if (!(alpha > 0 && alpha <= 1)) throw new UsageError(`--alpha must be a number in (0, 1], found '${v.alpha}'`);
  if (v.out === undefined) throw new UsageError('compress needs --out FILE (the compressed model, in the input\'s format)');
  const method = v.method ?? 'rsi';
  if (method !== 'rsi' && method !== 'exact') throw new UsageError(`--method must be rsi or exact, found '${method}'`);
  if (method === 'exact' && v.passes !== undefined) throw new UsageError('--passes is for --method rsi; --method exact is the exact SVD');
  const passes = v.passes !== undefined ? positiveInt(v.passes, '--passes') : DEFAULT_COMPRESS_PASSES;
  const minSize = v['min-size'] !== undefined ? Number(v['min-size']) : 0;
  if (!Number.isInteger(minSize) || minSize < 0) throw new UsageError(`--min-size expects a non-negative integer, found '${v['min-size']}'`);
  const seed = v.seed !== undefined ? Number(v.seed) : 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed expects an integer in [0, 2^32), found '${v.seed}'`);
  const report = await compressModel(input, {
    alpha, passes, method, out: v.out, minSize, seed,
    memoryBudget: v['memory-budget'] !== undefined ? parseByteSize(v['memory-budget'], '--memory-budget') : DEFAULT_COMPRESS_BUDGET,
    baseline: !v['no-baseline'],
    ...(v['lanczos-steps'] !== undefined ? { lanczosSteps: positiveInt(v['lanczos-steps'], '--lanczos-steps') } : {}),
    ...(v.layers !== undefined ? { layers: v.layers.split(',').map((s) => s.trim()).filter((s) => s) } : {}),
    ...(v.report !== undefined ? { report: v.report } : {}),
    ...(v.evaluate !== undefined ? { evaluate: v.evaluate.split(',').map((s) => s.trim()).filter((s) => s) } : {}),
    onLayer: (r) => { if (!v.json && !v.quiet) io.stderr.write(`${layerLine(r)}\n`); },
  });
  if (v.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  else io.stdout.write(summary(report));
  for (const note of report.notes) io.stderr.write(`rangefinder: note: ${note}\n`);
  return 0;
}

function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined ? '-' : x.toPrecision(digits);
}

export function layerLine(r: LayerReport): string {
  const head = `${r.name} [${r.shape[0]} x ${r.shape[1]}]`;
  if (r.status === 'kept') return `  kept     ${head}: ${r.reason}`;
  return `  factored ${head} rank ${r.rank}: ||W - AB||_2/sigma_k+1 ${fmt(r.normalizedSpectralError)}, rel. Frobenius ${fmt(r.relativeFrobeniusError)}, ` +
    `${r.paramsBefore} -> ${r.paramsAfter} weights, ${fmt(r.seconds)} s (exact SVD ${fmt(r.exactSeconds)} s)${r.mode === 'streamed' ? ', streamed' : ''}`;
}

function summary(r: CompressReport): string {
  const t = r.totals;
  const lines = [
    `${r.input} (${r.format}) -> ${r.files.join(', ')}`,
    `alpha ${r.alpha}, ${r.method === 'exact' ? 'exact SVD' : `RSI with ${r.passes} passes (q = ${r.passes - 1})`}: ${t.layersFactored} layers factored, ${t.layersKept} kept`,
    `parameters: model ${t.modelParamsBefore} -> ${t.modelParamsAfter} (ratio ${t.parameterRatio.toFixed(4)}); candidate layers ${t.layerParamsBefore} -> ${t.layerParamsAfter} (ratio ${t.layerParameterRatio.toFixed(4)})`,
    `time: factoring ${t.factorSeconds.toFixed(2)} s, exact SVD of the same layers ${t.exactSeconds === null ? '-' : `${t.exactSeconds.toFixed(2)} s (${t.exactOverFactor!.toFixed(2)}x)`}, total ${t.seconds.toFixed(2)} s, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  ];
  const e = r.evaluation;
  if (e) {
    lines.push(`evaluation on ${e.positions} positions: top-1 agreement ${(100 * e.top1Agreement).toFixed(2)}%, largest softmax deviation ${e.maxSoftmaxDeviation.toExponential(3)}`);
    if (e.bound) {
      lines.push(`bound ||p - p^||_inf <= 1/2 ||W - W^||_2 ||x||_2 on ${e.bound.layer} (${e.bound.positions} captured inputs): ${e.bound.violations} violations, deviation/bound max ${e.bound.maxRatio.toExponential(2)}, median ${e.bound.medianRatio.toExponential(2)}`);
    } else if (e.boundNote) lines.push(`bound: ${e.boundNote}`);
  }
  return `${lines.join('\n')}\n`;
}
