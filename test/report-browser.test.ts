/**
 * `rangefinder approx --report FILE.html` opened in a real browser: Debian's headless chromium
 * (installed by .ci/run), driven by playwright-core. The page must load with no console error, no
 * page error and no request other than the file itself (it is self-contained), and each plot must
 * be drawn: a screenshot of the plot's SVG area is decoded (pngjs) and must hold coloured pixels
 * (the data marks; axes and grid are grey) over a non-trivial share of its area. Negative controls:
 * an empty plot area and an area with axes only fail the same check.
 *
 * Runs: a one-pass three-sketch (spectrum, scree bounds, time) and a 3-pass RSI (also the error per
 * pass), both through the built CLI as a child process.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './helpers/cli-harness.js';

const CHROMIUM = process.env.RANGEFINDER_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface PixelStats { width: number; height: number; nonBackground: number; coloured: number }

/** Pixels that are not (near) white, and pixels with a clear hue (a data mark, not an axis or grid line). */
export function pixelStats(png: Buffer): PixelStats {
  const img = PNG.sync.read(png);
  let nonBackground = 0, coloured = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const r = img.data[i], g = img.data[i + 1], b = img.data[i + 2];
    if (r < 245 || g < 245 || b < 245) nonBackground++;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
  }
  return { width: img.width, height: img.height, nonBackground, coloured };
}

/** The plot check: at least 0.1% of the area coloured (a thin line with points over 520 x 260 is about 0.2%) and 2% not background. */
export function plotDrawn(s: PixelStats): boolean {
  const area = s.width * s.height;
  return area > 0 && s.coloured / area > 0.001 && s.nonBackground / area > 0.02;
}

interface PageCheck { errors: string[]; requests: string[]; plots: Map<string, PixelStats> }

async function openReport(browser: Browser, file: string): Promise<PageCheck> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [], requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('request', (r) => requests.push(r.url()));
  try {
    const url = pathToFileURL(file).href;
    const res = await page.goto(url, { waitUntil: 'load' });
    if (res !== null && !res.ok()) errors.push(`status ${res.status()}`);
    const plots = new Map<string, PixelStats>();
    for (const fig of await page.locator('figure.plot').all()) {
      const id = (await fig.getAttribute('id')) ?? '?';
      const svg = fig.locator('svg').first();
      const png = (await svg.count()) > 0 ? await svg.screenshot() : await fig.screenshot();
      plots.set(id, pixelStats(png));
    }
    return { errors, requests: requests.filter((u) => u !== url), plots };
  } finally {
    await page.close();
  }
}

describe('--report in headless chromium', () => {
  let dir: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium), as .ci/run does, or set RANGEFINDER_CHROMIUM`);
    }
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rf-report-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a one-pass three-sketch: the page loads without errors or requests; spectrum, scree bounds and time are drawn', async () => {
    const file = join(dir, 'one-pass.html');
    const run = await runCli(['approx', 'synthetic:4000x120:rank=15,decay=0.7,seed=3', '--rank', '8', '--method', 'three-sketch', '--report', file, '--json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as { output: { report: string }; method: string };
    expect(json.output.report).toBe(file);
    expect(json.method).toBe('three-sketch');
    const html = readFileSync(file, 'utf8');
    // no script, no external resource (the SVG namespaces are names, not requests)
    expect(html).not.toMatch(/<script|<link|<iframe|<img|(src|href)\s*=\s*["']?https?:|url\(\s*["']?https?:/i);
    expect(html).toMatch(/a-posteriori/);
    const page = await openReport(browser, file);
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect([...page.plots.keys()]).toEqual(['plot-spectrum', 'plot-scree', 'plot-time']);
    for (const [id, s] of page.plots) expect(plotDrawn(s), `${id}: ${JSON.stringify(s)}`).toBe(true);
  }, 180_000);

  it('RSI with 3 passes: also the error after every pass, decreasing', async () => {
    const file = join(dir, 'rsi.html');
    const run = await runCli(['approx', 'synthetic:3000x100:rank=12,decay=0.8,noise=0.01,seed=4', '--rank', '6', '--passes', '3', '--report', file, '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/wrote .*rsi\.html/);
    const html = readFileSync(file, 'utf8');
    const errs = [...html.matchAll(/<tr><td>(\d)<\/td><td>([\d.e+-]+)<\/td>/g)].map((m) => Number(m[2]));
    expect(errs.length).toBe(3);
    expect(errs[2]).toBeLessThanOrEqual(errs[0]);
    const page = await openReport(browser, file);
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect([...page.plots.keys()]).toEqual(['plot-spectrum', 'plot-scree', 'plot-passes', 'plot-time']);
    for (const [id, s] of page.plots) expect(plotDrawn(s), `${id}: ${JSON.stringify(s)}`).toBe(true);
  }, 180_000);

  it('negative controls: an empty plot area and axes without marks fail the pixel check', async () => {
    const axes = Array.from({ length: 11 }, (_, i) => `<line x1="${40 + 48 * i}" y1="10" x2="${40 + 48 * i}" y2="250" stroke="#ddd"/>`).join('') +
      '<line x1="40" y1="250" x2="520" y2="250" stroke="#000"/><line x1="40" y1="10" x2="40" y2="250" stroke="#000"/><text x="250" y="270" font-size="11">rank r</text>';
    const file = join(dir, 'controls.html');
    writeFileSync(file, `<!doctype html><html><body>
      <figure class="plot" id="empty"><h3>Empty</h3><svg width="540" height="280" xmlns="http://www.w3.org/2000/svg"></svg></figure>
      <figure class="plot" id="axes-only"><h3>Axes only</h3><svg width="540" height="280" xmlns="http://www.w3.org/2000/svg">${axes}</svg></figure>
      <figure class="plot" id="drawn"><h3>A line</h3><svg width="540" height="280" xmlns="http://www.w3.org/2000/svg">${axes}<polyline points="40,20 200,120 520,240" fill="none" stroke="#4e79a7" stroke-width="6"/><rect x="60" y="60" width="120" height="40" fill="#e15759"/></svg></figure>
      </body></html>`);
    const page = await openReport(browser, file);
    expect(page.errors).toEqual([]);
    expect(plotDrawn(page.plots.get('empty')!)).toBe(false);
    expect(plotDrawn(page.plots.get('axes-only')!)).toBe(false);
    expect(plotDrawn(page.plots.get('drawn')!)).toBe(true);
  }, 120_000);
});
