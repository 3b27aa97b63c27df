/**
 * `rangefinder approx --report FILE.html`: one self-contained page that shows a run. Plots are
 * Vega-Lite specifications compiled and rendered to SVG in Node by vega's headless View (no canvas,
 * no browser) and inlined, so the page needs no script and fetches nothing (its Content-Security-
 * Policy forbids it).
 *
 * - The spectrum: the singular values the run computed (for a single-pass sketch all K of its core
 *   approximation, the ones beyond the rank marked as not returned; for RSI, the values after every
 *   pass when there were several).
 * - The scree plot [TYUC19 §6.2]: the fraction of ||A||_F^2 left unexplained by rank r. Single-pass
 *   sketches: the a-posteriori band lower(r) = (tail(r) / ||A||)^2 <= . <= upper(r) = ((tail(r) +
 *   err) / ||A||)^2 (screeBounds), tail(r) = sqrt(sum_{j > r} sigma_j^2) of the sketch, err its
 *   error estimate. RSI, Krylov and the exact SVD: the exact value of the result's rank-r truncation,
 *   (||A||_F^2 - sum_{j <= r} s_j^2) / ||A||_F^2 (an orthogonal projection: Pythagoras).
 * - RSI with more than one pass: ||A - A_r||_F / ||A||_F after every pass.
 * - Where the time went (the recorder's timeline), the error estimate, sizes, memory, options, the
 *   planner's reasons and the notes.
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { ApproxOptions } from './approx-args.js';
import { errorPhrase, type ApproxResult } from './approx-result.js';
import { packageVersion } from './package-version.js';
import type { ReportRecorder } from './report-recorder.js';

/** Fixed colours (Tableau 10), so a series has the same colour in every report. */
const COLOUR = { returned: '#4e79a7', extra: '#bab0ac', upper: '#e15759', lower: '#59a14f', exact: '#4e79a7', band: '#f28e2b', rank: '#76b7b2', error: '#e15759' };
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const EPS = 1e-16;

export interface ReportInput {
  result: ApproxResult;
  opts: ApproxOptions;
  recorder: ReportRecorder;
  /** The approx command line as typed (argv after `rangefinder approx`). */
  argv: readonly string[];
  /** Date of the run (default now). */
  date?: Date;
}

export interface Plot {
  id: string;
  title: string;
  caption: string;
  /** A Vega-Lite specification. */
  spec: Record<string, unknown>;
}

/** The plots the page shows for this run (Vega-Lite specifications). */
export function reportPlots({ result, recorder, opts }: Pick<ReportInput, 'result' | 'recorder' | 'opts'>): Plot[] {
  const r = result.rank;
  const asked = opts.rank;
  const normA = result.errorEstimate.normA;
  const plots: Plot[] = [];
  const scree = recorder.scree;
  const perPass = recorder.perPass ?? [];

  // 1. The spectrum.
  type SvPoint = { j: number; sigma: number; series: string };
  let sv: SvPoint[];
  let svCaption: string;
  if (scree !== undefined) {
    sv = Array.from(scree.sigma, (s, i) => ({ j: i + 1, sigma: s, series: i < r ? `returned (rank ${r})` : 'computed by the sketch, not returned' }));
    svCaption = `The ${scree.sigma.length} singular values of the sketch's approximation; the first ${r} are returned (the factors written with --out)${asked !== r ? `: rank ${asked} was asked for, see the notes` : ''}.`;
  } else if (perPass.length > 1) {
    sv = perPass.flatMap((p) => p.singularValues.map((s, i) => ({ j: i + 1, sigma: s, series: `after pass ${p.pass}` })));
    svCaption = `Singular values after every pass (RSI with q = pass - 1 power iterations); the last pass is the result.`;
  } else {
    sv = result.singularValues.map((s, i) => ({ j: i + 1, sigma: s, series: `returned (rank ${r})` }));
    svCaption = `The ${r} singular values returned.`;
  }
  const svPositive = sv.filter((p) => p.sigma > 0);
  const svSeries = [...new Set(sv.map((p) => p.series))];
  const svColours = svSeries.map((s) => (s.startsWith('computed') ? COLOUR.extra : s.startsWith('returned') ? COLOUR.returned : passColour(s, perPass.length)));
  if (svPositive.length < sv.length) svCaption += ` ${sv.length - svPositive.length} zero values are not drawn on the log axis.`;
  plots.push({
    id: 'plot-spectrum', title: 'Singular values', caption: svCaption,
    spec: {
      width: 520, height: 260, data: { values: svPositive },
      mark: { type: 'line', point: { filled: true, size: 40 }, clip: true },
      encoding: {
        x: { field: 'j', type: 'quantitative', title: 'index j', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'sigma', type: 'quantitative', scale: { type: 'log' }, title: 'sigma_j' },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: svSeries, range: svColours }, legend: { orient: 'top', labelLimit: 400 } },
        tooltip: [{ field: 'series' }, { field: 'j' }, { field: 'sigma', format: '.6g' }],
      },
    },
  });

  // 2. The scree plot.
  type ScreePoint = { r: number; value: number; series: string };
  // The rank asked for, and the rank returned when a rank guard returned fewer (the notes say why).
  const rule = asked === r ? [{ r, what: `rank ${r}` }] : [{ r: asked, what: `rank ${asked} asked` }, { r, what: `rank ${r} returned` }];
  const ruleCaption = asked === r ? `The vertical line is the rank asked for (${r}).` : `The vertical lines are the rank asked for (${asked}) and the rank returned (${r}; see the notes).`;
  const ruleLayer = { data: { values: rule }, mark: { type: 'rule', strokeDash: [4, 3], color: COLOUR.rank, size: 2 },
    encoding: { x: { field: 'r', type: 'quantitative' }, tooltip: [{ field: 'what' }] } };
  if (scree !== undefined) {
    const K = scree.sigma.length;
    // screeBounds divides by ||A||_F as the record measured it in the pass (the error sketch's
    // estimate only where it could not); the plot uses the run's measured norm either way.
    const tail2 = new Float64Array(K + 1);
    for (let i = K - 1; i >= 0; i--) tail2[i] = tail2[i + 1]! + scree.sigma[i]! ** 2;
    const errK = scree.err;
    const n2 = normA > 0 ? normA ** 2 : 1;
    // Below 1e-16 of ||A||_F^2 the fractions are rounding: not drawn (the caption says so).
    const band = Array.from({ length: K + 1 }, (_, i) => ({ r: i, lower: tail2[i]! / n2, upper: (Math.sqrt(tail2[i]!) + errK) ** 2 / n2 }))
      .filter((p) => p.upper > EPS);
    const floor = Math.max(EPS, Math.min(...band.map((p) => p.upper)) / 10);
    const lines: ScreePoint[] = band.flatMap((p) => [
      { r: p.r, value: p.upper, series: 'upper bound' },
      ...(p.lower > EPS ? [{ r: p.r, value: p.lower, series: 'lower bound' }] : []),
    ]);
    const zeros = band.filter((p) => p.lower <= EPS).map((p) => p.r);
    const hidden = K + 1 - band.length;
    // A projection method (the one-pass Gram RSVD) also knows its truncations' error exactly:
    // ||A - [Q Q^T A]_r||_F^2 = ||A||_F^2 - sum_{j <= r} sigma_j^2, an upper bound on the optimum.
    const projection = result.errorEstimate.kind === 'residual' && normA > 0;
    const exactSeries = 'of this result\'s rank-r truncation (exact)';
    if (projection) {
      let kept = 0;
      for (let i = 0; i <= K; i++) {
        if (i > 0) kept += scree.sigma[i - 1]! ** 2;
        const v = Math.max(0, normA ** 2 - kept) / normA ** 2;
        if (v > EPS) lines.push({ r: i, value: v, series: exactSeries });
      }
    }
    const series = projection ? ['upper bound', 'lower bound', exactSeries] : ['upper bound', 'lower bound'];
    const colours = projection ? [COLOUR.upper, COLOUR.lower, COLOUR.exact] : [COLOUR.upper, COLOUR.lower];
    plots.push({
      id: 'plot-scree', title: 'Scree plot: energy left unexplained by rank r (a-posteriori bounds)',
      caption: `Bounds on the energy left by the best rank-r approximation, ||A - [[A]]_r||_F^2 / ||A||_F^2, from the sketch alone [TYUC19 §6.2]: lower(r) = (tail(r) / ||A||_F)^2 and upper(r) = ((tail(r) + err) / ||A||_F)^2, where tail(r) is the norm of the sketch's singular values beyond r, err = ${fmt(errK)} the a-posteriori estimate of the error of the sketch's whole rank-${K} approximation, and ||A||_F = ${fmt(normA)} as measured on the pass.` +
        (projection ? ` This method projects A (U S V^T = [Q Q^T A]_r), so the error of each truncation of its result is also known exactly: (||A||_F^2 - sum_{j <= r} sigma_j^2) / ||A||_F^2, above the optimum and usually below the upper bound.` : '') +
        ` ${ruleCaption}` +
        (zeros.length > 0 ? ` The lower bound is below 1e-16 at r = ${compactRanges(zeros)} (not drawn; the band is drawn down to ${fmt(floor)} there).` : '') +
        (hidden > 0 ? ` ${hidden} rank${hidden === 1 ? '' : 's'} with both bounds below 1e-16 (rounding) not drawn.` : ''),
      spec: {
        width: 520, height: 260,
        layer: [
          { data: { values: band.map((p) => ({ ...p, lowerShown: p.lower > 0 ? p.lower : floor })) },
            mark: { type: 'area', opacity: 0.25, color: COLOUR.band, clip: true },
            encoding: { x: { field: 'r', type: 'quantitative', title: 'rank r', axis: { tickMinStep: 1, format: 'd' } },
              y: { field: 'upper', type: 'quantitative', scale: { type: 'log' }, title: 'unexplained fraction of ||A||_F^2' }, y2: { field: 'lowerShown' } } },
          { data: { values: lines }, mark: { type: 'line', point: { filled: true, size: 25 }, clip: true },
            encoding: { x: { field: 'r', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' },
              color: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: colours }, legend: { orient: 'top', labelLimit: 400 } },
              tooltip: [{ field: 'series' }, { field: 'r' }, { field: 'value', format: '.4g' }] } },
          ruleLayer,
        ],
      },
    });
  } else if (normA > 0) {
    const s = result.singularValues;
    let kept = 0;
    const values: ScreePoint[] = [];
    for (let i = 0; i <= s.length; i++) {
      if (i > 0) kept += s[i - 1]! ** 2;
      const v = Math.max(0, normA ** 2 - kept) / normA ** 2;
      if (v > 0) values.push({ r: i, value: v, series: result.method === 'exact' ? 'optimal (exact SVD)' : 'of the result (exact)' });
    }
    plots.push({
      id: 'plot-scree', title: 'Scree plot: energy left unexplained by rank r',
      caption: `(||A||_F^2 - sum_{j <= r} s_j^2) / ||A||_F^2 for the rank-r truncation of the result: exact, because ${result.method === 'exact' ? 'the exact SVD' : `${result.method.toUpperCase()}'s U S V^T`} is an orthogonal projection of A.` +
        (values.length < s.length + 1 ? ' Values that reach 0 are not drawn on the log axis.' : ''),
      spec: {
        width: 520, height: 260,
        layer: [
          { data: { values }, mark: { type: 'line', point: { filled: true, size: 30 }, clip: true },
            encoding: { x: { field: 'r', type: 'quantitative', title: 'rank r', axis: { tickMinStep: 1, format: 'd' } },
              y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'unexplained fraction of ||A||_F^2' },
              color: { field: 'series', type: 'nominal', title: null, scale: { range: [COLOUR.exact] }, legend: { orient: 'top', labelLimit: 400 } },
              tooltip: [{ field: 'r' }, { field: 'value', format: '.4g' }] } },
          ruleLayer,
        ],
      },
    });
  }

  // 3. The error after every pass (RSI).
  if (perPass.length > 1) {
    const values = perPass.map((p) => ({ pass: p.pass, error: p.relativeResidual }));
    const shown = values.filter((v) => v.error > 0);
    plots.push({
      id: 'plot-passes', title: 'Error after every pass',
      caption: `||A - A_r||_F / ||A||_F of the rank-${r} approximation after each pass (RSI with q = pass - 1), exact up to rounding (unreliable below about 1e-7).` +
        (shown.length < values.length ? ' Passes with error 0 are not drawn on the log axis.' : ''),
      spec: {
        width: 520, height: 220, data: { values: shown },
        mark: { type: 'line', point: { filled: true, size: 60, color: COLOUR.error }, color: COLOUR.error, clip: true },
        encoding: {
          x: { field: 'pass', type: 'quantitative', title: 'pass', axis: { tickMinStep: 1, format: 'd' }, scale: { domain: [1, perPass.length] } },
          y: { field: 'error', type: 'quantitative', scale: { type: 'log' }, title: 'relative Frobenius error' },
          tooltip: [{ field: 'pass' }, { field: 'error', format: '.4g' }],
        },
      },
    });
  }

  // 4. Where the time went.
  const segments = recorder.timeline.filter((s) => s.end > s.start);
  if (segments.length > 0) {
    const order = segments.map((s, i) => `${i + 1}. ${s.label}`);
    plots.push({
      id: 'plot-time', title: 'Where the time went',
      caption: `Seconds from the start of the run (total ${result.seconds.toFixed(2)} s; Node's start-up and writing this page are not included). A pass begins when its first block arrives and lasts until the next event, so it includes the computation after its last block.`,
      spec: {
        width: 520, height: Math.max(60, 22 * segments.length),
        data: { values: segments.map((s, i) => ({ ...s, step: order[i], seconds: s.end - s.start })) },
        mark: { type: 'bar', color: COLOUR.returned, cornerRadiusEnd: 2 },
        encoding: {
          y: { field: 'step', type: 'nominal', sort: order, title: null, axis: { labelLimit: 320 } },
          x: { field: 'start', type: 'quantitative', title: 'seconds' }, x2: { field: 'end' },
          tooltip: [{ field: 'label' }, { field: 'seconds', format: '.3f' }],
        },
      },
    });
  }
  return plots;
}

/** `3, 5-9, 12` */
function compactRanges(xs: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(j > i ? `${xs[i]}-${xs[j]}` : String(xs[i]));
    i = j;
  }
  return out.join(', ');
}

function passColour(series: string, passes: number): string {
  const p = Number(/\d+/.exec(series)?.[0] ?? 1);
  // from light to dark blue: the last pass (the result) darkest
  const t = passes > 1 ? (p - 1) / (passes - 1) : 1;
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * t);
  return `rgb(${mix(170, 31)}, ${mix(199, 71)}, ${mix(232, 136)})`;
}

/** Renders a Vega-Lite specification to an SVG string in Node. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', padding: 8,
    config: { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11 }, view: { stroke: '#ccc' } }, ...spec };
  const compiled = vl.compile(full as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fmt(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}

function bytes(b: number): string {
  return b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`;
}

function table(rows: readonly (readonly [string, unknown])[]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function quoteArg(a: string): string {
  return /^[\w./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** The whole page as a string. */
export async function reportHtml(input: ReportInput): Promise<string> {
  const { result: res, opts, argv } = input;
  const date = input.date ?? new Date();
  const plots = reportPlots(input);
  const svgs = await Promise.all(plots.map((p) => renderSvg(p.spec)));
  const e = res.errorEstimate;
  const command = `rangefinder approx ${argv.map(quoteArg).join(' ')}`;
  const summary: [string, unknown][] = [
    ['input', res.input],
    ['matrix', `${res.rows} x ${res.cols}${res.orientation ? `, streamed by ${res.orientation}` : ''}`],
    ['method', `${res.method}, ${res.passes} pass${res.passes === 1 ? '' : 'es'}, rank ${res.rank}${res.rank !== opts.rank ? ` (${opts.rank} asked; see the notes)` : ''}, test matrix ${res.testMatrix}`],
    [e.kind === 'sketch' ? 'error estimate (a-posteriori)' : 'error (exact residual)', e.frobenius === null || e.relative === null
      ? `||A - U S V^T||_F ${errorPhrase(e, fmt)}; ||A||_F = ${fmt(e.normA)}`
      : `||A - U S V^T||_F ${e.kind === 'sketch' ? '≈' : '='} ${fmt(e.frobenius)}, ${(100 * e.relative).toPrecision(4)}% of ||A||_F = ${fmt(e.normA)}` +
        (e.kind === 'sketch' ? ` (q = ${e.q}: within [0.8, 1.25] of the truth with probability ${(e.inRangeProbability ?? 0).toFixed(2)})` : '')],
    ['time', `${res.seconds.toFixed(3)} s`],
    ['memory', `state ${bytes(res.stateBytes)} of a ${bytes(res.memoryBudget)} budget; peak RSS ${bytes(res.peakRssBytes)}`],
  ];
  const sizes = Object.entries(res.sketch).map(([k, v]) => [k, v] as const);
  const optionRows: [string, unknown][] = Object.entries(opts)
    .filter(([k, v]) => v !== undefined && k !== 'help' && k !== 'report')
    .map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : v]);
  const perPass = input.recorder.perPass ?? [];
  const passTable = perPass.length > 1
    ? `<h2>Error per pass</h2><table><tr><th>pass</th><th>||A - A_r||_F / ||A||_F</th><th>sigma_1 .. sigma_3</th></tr>${perPass.map((p) =>
      `<tr><td>${p.pass}</td><td>${esc(fmt(p.relativeResidual))}</td><td>${esc(p.singularValues.slice(0, 3).map(fmt).join(', '))}</td></tr>`).join('')}</table>`
    : '';
  const timeRows = input.recorder.timeline.filter((s) => s.end > s.start).map((s) => [s.label, `${(s.end - s.start).toFixed(3)} s (from ${s.start.toFixed(3)} s)`] as const);
  const list = (items: readonly string[] | undefined): string => (items && items.length > 0 ? `<ul>${items.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '<p>none</p>');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rangefinder ${esc(packageVersion())}">
<title>rangefinder approx: ${esc(res.input)}</title>
<style>
body { font-family: ${FONT}; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; background: #fff; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
code, pre { font-family: DejaVu Sans Mono, Menlo, monospace; font-size: 13px; }
pre { background: #f6f6f6; padding: 8px 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
th, td { border: 1px solid #ddd; padding: 3px 10px; text-align: left; vertical-align: top; }
th { background: #f6f6f6; font-weight: 600; }
.plots { display: flex; flex-wrap: wrap; gap: 24px; }
figure.plot { margin: 0; padding: 0; }
figure.plot figcaption { max-width: 560px; font-size: 13px; color: #444; margin-top: 4px; }
figure.plot h3 { font-size: 15px; margin: 0 0 6px 0; }
.muted { color: #666; font-size: 13px; }
</style>
</head>
<body>
<h1>rangefinder approx: ${esc(res.input)}</h1>
<p class="muted">${esc(date.toISOString())}, rangefinder ${esc(packageVersion())}, Node ${esc(process.version)}</p>
<pre>${esc(command)}</pre>
${table(summary)}
<h2>Plots</h2>
<div class="plots">
${plots.map((p, i) => `<figure class="plot" id="${p.id}"><h3>${esc(p.title)}</h3>${svgs[i]}<figcaption>${esc(p.caption)}</figcaption></figure>`).join('\n')}
</div>
${passTable}
<h2>Sizes</h2>
${sizes.length > 0 ? table(sizes) : '<p>none (the exact SVD)</p>'}
<h2>Time</h2>
${table(timeRows)}
<h2>Singular values</h2>
<p><code>${esc(res.singularValues.map(fmt).join(' '))}</code></p>
<h2>Why this method and these sizes</h2>
${list(res.reasons)}
${res.orientationReason ? `<p>Orientation: ${esc(res.orientationReason)}</p>` : ''}
<h2>Notes</h2>
${list(res.notes)}
<h2>Options</h2>
${table(optionRows)}
${res.output ? `<h2>Files written</h2>${table(Object.entries(res.output))}` : ''}
</body>
</html>
`;
}

/** Writes the page under a temporary name and renames it, so no partial report is left. */
export async function writeReport(path: string, input: ReportInput): Promise<void> {
  const html = await reportHtml(input);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, path);
}
