/**
 * .npy headers against numpy itself: every case is written as bytes, read by `np.load` (the oracle,
 * in one python3 run) and by `fromNpy`. Where numpy reads the file we must read the same array
 * (shape as a matrix, the same values) or, for the few types we do not read, refuse with a
 * FormatError that names the type; where numpy refuses, we must refuse. Never a different reading.
 * Regression (issue 10, class 6): a duplicated key was read as its FIRST value (numpy: the last),
 * `fortran_order: 1`, a minor version 1.1, and big-endian or integer data were mis-read or refused
 * with a false reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../src/errors.js';
import { fromNpy } from '../streams/sources/from-npy.js';
import { collectRows } from './helpers/collect-rows.js';
import { hasNumpy } from './helpers/numpy.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-npy-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  name: string;
  /** The header dict text (padded and terminated here unless `raw`). */
  header: string;
  /** Bytes of data after the header. */
  data: Uint8Array;
  version?: [number, number];
  /** Declared header length override (overrun tests). */
  headerLen?: number;
  /** We read this (numpy does): must match numpy. Else refusing is allowed when numpy reads it. */
  mustRead?: boolean;
}

function f64le(vals: number[]): Uint8Array { const b = Buffer.alloc(8 * vals.length); vals.forEach((v, i) => b.writeDoubleLE(v, 8 * i)); return b; }
function f64be(vals: number[]): Uint8Array { const b = Buffer.alloc(8 * vals.length); vals.forEach((v, i) => b.writeDoubleBE(v, 8 * i)); return b; }
function f32le(vals: number[]): Uint8Array { const b = Buffer.alloc(4 * vals.length); vals.forEach((v, i) => b.writeFloatLE(v, 4 * i)); return b; }
function f32be(vals: number[]): Uint8Array { const b = Buffer.alloc(4 * vals.length); vals.forEach((v, i) => b.writeFloatBE(v, 4 * i)); return b; }
function i32le(vals: number[]): Uint8Array { const b = Buffer.alloc(4 * vals.length); vals.forEach((v, i) => b.writeInt32LE(v, 4 * i)); return b; }
function i16be(vals: number[]): Uint8Array { const b = Buffer.alloc(2 * vals.length); vals.forEach((v, i) => b.writeInt16BE(v, 2 * i)); return b; }
function u8(vals: number[]): Uint8Array { return Uint8Array.from(vals); }
function i64le(vals: bigint[]): Uint8Array { const b = Buffer.alloc(8 * vals.length); vals.forEach((v, i) => b.writeBigInt64LE(v, 8 * i)); return b; }
/** float16 bit patterns: 1, -2, 0.5, 65504, 2^-24 (subnormal), 1/3 rounded. */
const HALF = u8([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0xff, 0x7b, 0x01, 0x00, 0x55, 0x35]);

const six = [1.5, -2, 3.25, 1e-310, 5e300, -0];
const d6 = f64le(six);
const D = "'descr': '<f8'", F = "'fortran_order': False", S = "'shape': (2, 3)";

const cases: Case[] = [
  { name: 'plain', header: `{${D}, ${F}, ${S}, }`, data: d6, mustRead: true },
  { name: 'no trailing comma', header: `{${D}, ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'no spaces', header: "{'descr':'<f8','fortran_order':False,'shape':(2,3)}", data: d6, mustRead: true },
  { name: 'extra spaces and newlines inside', header: "{ 'descr' :\n '<f8' ,\t'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }", data: d6, mustRead: true },
  { name: 'keys in another order', header: `{${S}, ${D}, ${F}}`, data: d6, mustRead: true },
  { name: 'double quotes', header: '{"descr": "<f8", "fortran_order": False, "shape": (2, 3)}', data: d6, mustRead: true },
  { name: 'duplicated shape: last wins', header: `{${D}, ${F}, 'shape': (3, 2), 'shape': (2, 3)}`, data: d6, mustRead: true },
  { name: 'duplicated descr: last wins', header: `{'descr': '<f4', ${F}, ${S}, 'descr': '<f8'}`, data: d6, mustRead: true },
  { name: 'duplicated fortran_order: last wins', header: `{${D}, 'fortran_order': False, ${S}, 'fortran_order': True}`, data: d6, mustRead: true },
  { name: 'fortran order', header: `{${D}, 'fortran_order': True, ${S}}`, data: d6, mustRead: true },
  { name: 'comment inside', header: `{${D}, # a comment\n ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'leading spaces', header: `   {${D}, ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'leading blank line', header: `\n{${D}, ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'indented second line (IndentationError)', header: `\n  {${D}, ${F}, ${S}}`, data: d6 },
  { name: 'parenthesised dict', header: `({${D}, ${F}, ${S}})`, data: d6, mustRead: true },
  { name: 'implicit string concatenation', header: `{'descr': '<' 'f8', ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'u prefix', header: `{'descr': u'<f8', ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'hex dimension', header: `{${D}, ${F}, 'shape': (0x2, 3)}`, data: d6, mustRead: true },
  { name: 'underscore dimension', header: `{${D}, ${F}, 'shape': (2, 0_3)}`, data: d6, mustRead: true },
  { name: 'plus sign dimension', header: `{${D}, ${F}, 'shape': (+2, 3)}`, data: d6, mustRead: true },
  { name: 'True as a dimension', header: `{${D}, ${F}, 'shape': (True, 6)}`, data: d6 },
  { name: 'shape trailing comma', header: `{${D}, ${F}, 'shape': (2, 3,)}`, data: d6, mustRead: true },
  { name: '1-D shape', header: `{${D}, ${F}, 'shape': (6,)}`, data: d6, mustRead: true },
  { name: '1-D shape without comma (an int)', header: `{${D}, ${F}, 'shape': (6)}`, data: d6 },
  { name: '0-D shape', header: `{${D}, ${F}, 'shape': ()}`, data: d6 },
  { name: '3-D shape', header: `{${D}, ${F}, 'shape': (1, 2, 3)}`, data: d6 },
  { name: 'shape as a list', header: `{${D}, ${F}, 'shape': [2, 3]}`, data: d6 },
  { name: 'float dimension', header: `{${D}, ${F}, 'shape': (2.0, 3)}`, data: d6 },
  { name: 'negative dimension', header: `{${D}, ${F}, 'shape': (-2, 3)}`, data: d6 },
  { name: 'minus one dimension', header: `{${D}, ${F}, 'shape': (-1,)}`, data: d6 },
  { name: 'double sign', header: `{${D}, ${F}, 'shape': (--2, 3)}`, data: d6 },
  { name: 'huge dimension', header: `{${D}, ${F}, 'shape': (123456789012345678901234567890, 3)}`, data: d6 },
  { name: 'leading zero dimension (SyntaxError)', header: `{${D}, ${F}, 'shape': (02, 3)}`, data: d6 },
  { name: 'Python 2 long suffix (v1)', header: `{${D}, ${F}, 'shape': (2L, 3L)}`, data: d6, mustRead: true },
  { name: 'Python 2 long suffix (v3)', header: `{${D}, ${F}, 'shape': (2L, 3L)}`, data: d6, version: [3, 0] },
  { name: 'lowercase l suffix', header: `{${D}, ${F}, 'shape': (2l, 3)}`, data: d6 },
  { name: 'fortran_order 1', header: `{${D}, 'fortran_order': 1, ${S}}`, data: d6 },
  { name: "fortran_order 'False'", header: `{${D}, 'fortran_order': 'False', ${S}}`, data: d6 },
  { name: 'fortran_order None', header: `{${D}, 'fortran_order': None, ${S}}`, data: d6 },
  { name: 'lowercase false', header: `{${D}, 'fortran_order': false, ${S}}`, data: d6 },
  { name: 'missing key', header: `{${D}, ${S}}`, data: d6 },
  { name: 'extra key', header: `{${D}, ${F}, ${S}, 'x': 1}`, data: d6 },
  { name: 'integer key', header: `{${D}, ${F}, ${S}, 1: 1}`, data: d6 },
  { name: 'bytes key', header: `{b'descr': '<f8', ${F}, ${S}}`, data: d6 },
  { name: 'not a dict (a list)', header: "['descr', '<f8']", data: d6 },
  { name: 'a set', header: "{'descr', 'fortran_order', 'shape'}", data: d6 },
  { name: 'a bare tuple of a dict', header: `{${D}, ${F}, ${S}},`, data: d6 },
  { name: 'two lines of code', header: `{${D}, ${F}, ${S}}\n{}`, data: d6 },
  { name: 'semicolon', header: `{${D}, ${F}, ${S}};`, data: d6 },
  { name: 'unclosed', header: `{${D}, ${F}, ${S}`, data: d6 },
  { name: 'name value', header: `{'descr': float64, ${F}, ${S}}`, data: d6 },
  { name: 'f-string', header: `{'descr': f'<f8', ${F}, ${S}}`, data: d6 },
  { name: 'bytes descr', header: `{'descr': b'<f8', ${F}, ${S}}`, data: d6 },
  { name: 'structured descr', header: `{'descr': [('a', '<f8')], ${F}, 'shape': (6,)}`, data: d6 },
  { name: 'null byte', header: `{${D}, ${F}, ${S}}\0`, data: d6 },
  { name: 'descr f8', header: `{'descr': 'f8', ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'descr =f8', header: `{'descr': '=f8', ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'descr |f8', header: `{'descr': '|f8', ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'descr d', header: `{'descr': 'd', ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'descr float64', header: `{'descr': 'float64', ${F}, ${S}}`, data: d6, mustRead: true },
  { name: 'descr <float64', header: `{'descr': '<float64', ${F}, ${S}}`, data: d6 },
  { name: "descr ' f8'", header: `{'descr': ' <f8', ${F}, ${S}}`, data: d6 },
  { name: 'big-endian f8', header: `{'descr': '>f8', ${F}, ${S}}`, data: f64be(six), mustRead: true },
  { name: 'little f4', header: `{'descr': '<f4', ${F}, ${S}}`, data: f32le([1.5, -2, 3.25, 1e-40, 3e38, 0.1]), mustRead: true },
  { name: 'big-endian f4', header: `{'descr': '>f4', ${F}, ${S}}`, data: f32be([1.5, -2, 3.25, 1e-40, 3e38, 0.1]), mustRead: true },
  { name: 'float16', header: `{'descr': '<f2', ${F}, ${S}}`, data: HALF, mustRead: true },
  { name: 'int32', header: `{'descr': '<i4', ${F}, ${S}}`, data: i32le([1, -2, 2147483647, -2147483648, 0, 7]), mustRead: true },
  { name: 'big-endian int16', header: `{'descr': '>i2', ${F}, ${S}}`, data: i16be([1, -2, 32767, -32768, 0, 7]), mustRead: true },
  { name: 'uint8', header: `{'descr': '|u1', ${F}, ${S}}`, data: u8([0, 1, 127, 128, 255, 9]), mustRead: true },
  { name: 'int64 (rounded to float64)', header: `{'descr': '<i8', ${F}, ${S}}`, data: i64le([1n, -2n, 9007199254740993n, -9223372036854775808n, 0n, 7n]), mustRead: true },
  { name: 'bool', header: `{'descr': '|b1', ${F}, ${S}}`, data: u8([0, 1, 1, 0, 1, 0]) },
  { name: 'complex', header: `{'descr': '<c16', ${F}, 'shape': (1, 3)}`, data: d6 },
  { name: 'string dtype', header: `{'descr': '|S2', ${F}, 'shape': (1, 3)}`, data: u8([65, 66, 67, 68, 69, 70]) },
  { name: 'object dtype', header: `{'descr': '|O', ${F}, ${S}}`, data: d6 },
  { name: 'long double', header: `{'descr': '<f16', ${F}, 'shape': (1, 3)}`, data: d6 },
  { name: 'version 2.0', header: `{${D}, ${F}, ${S}}`, data: d6, version: [2, 0], mustRead: true },
  { name: 'version 3.0 (utf-8)', header: `{${D}, ${F}, ${S}} # é`, data: d6, version: [3, 0], mustRead: true },
  { name: 'version 1.1', header: `{${D}, ${F}, ${S}}`, data: d6, version: [1, 1] },
  { name: 'version 4.0', header: `{${D}, ${F}, ${S}}`, data: d6, version: [4, 0] },
  { name: 'version 0.0', header: `{${D}, ${F}, ${S}}`, data: d6, version: [0, 0] },
  { name: 'header length overrun', header: `{${D}, ${F}, ${S}}`, data: d6, headerLen: 5000 },
  { name: 'data short by one value', header: `{${D}, ${F}, ${S}}`, data: d6.subarray(0, 40) },
  { name: 'trailing bytes after the data', header: `{${D}, ${F}, ${S}}`, data: Buffer.concat([d6, Buffer.from('trailing')]), mustRead: true },
  { name: 'zero rows', header: `{${D}, ${F}, 'shape': (0, 3)}`, data: new Uint8Array(0) },
  { name: 'header over 10000 characters', header: `{${D}, ${F}, ${S}}${' '.repeat(10050)}`, data: d6, version: [2, 0] },
  { name: 'header of exactly 10000 characters', header: `{${D}, ${F}, ${S}}`.padEnd(9999, ' '), data: d6, version: [2, 0], mustRead: true },
];

/** The file bytes: magic, version, header length, header (newline-terminated, padded to 64). */
function fileBytes(c: Case): Uint8Array {
  const [major, minor] = c.version ?? [1, 0];
  const lenBytes = major === 1 || major === 0 ? 2 : 4;
  const enc = major === 3 ? 'utf8' : 'latin1';
  let text = c.header;
  if (!text.endsWith('\n') && !c.header.includes('\0')) {
    const pre = 6 + 2 + lenBytes;
    const used = Buffer.byteLength(text, enc) + 1;
    text += ' '.repeat((64 - ((pre + used) % 64)) % 64) + '\n';
  }
  const h = Buffer.from(text, enc);
  const head = Buffer.alloc(8 + lenBytes);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, minor]).copy(head);
  if (lenBytes === 2) head.writeUInt16LE(c.headerLen ?? h.length, 8); else head.writeUInt32LE(c.headerLen ?? h.length, 8);
  return Buffer.concat([head, h, c.data]);
}

const ORACLE = `
import sys, json, numpy as np
out = {}
for p in sys.argv[1:]:
    try:
        a = np.load(p)
        if a.ndim == 1: a = a.reshape(-1, 1)
        out[p] = {'ok': True, 'shape': list(a.shape), 'values': [repr(float(x)) for x in np.asarray(a, dtype=np.float64).ravel()] if a.ndim == 2 and a.dtype.kind in 'fiu' else None, 'ndim': int(np.load(p).ndim), 'kind': a.dtype.kind}
    except BaseException as e:
        out[p] = {'ok': False, 'error': type(e).__name__ + ': ' + str(e)[:200]}
sys.stdout.write(json.dumps(out))
`;

describe.skipIf(!hasNumpy())('.npy headers: numpy is the oracle', () => {
  const paths = cases.map((c, i) => {
    const p = join(dir, `case-${i}.npy`);
    writeFileSync(p, fileBytes(c));
    return p;
  });
  let oracle: Record<string, { ok: boolean; shape?: number[]; values?: number[] | null; ndim?: number; kind?: string; error?: string }> = {};
  const load = (): typeof oracle => {
    if (Object.keys(oracle).length === 0) {
      const text = execFileSync('python3', ['-c', ORACLE, ...paths], { maxBuffer: 1 << 26 }).toString();
      // Values come as Python reprs ('nan', 'inf', '-0.0'): JSON has no NaN or Infinity.
      const raw = JSON.parse(text) as Record<string, { values?: string[] | null }>;
      for (const v of Object.values(raw)) {
        if (v.values) (v as { values: unknown }).values = v.values.map((x) => (x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : Number(x)));
      }
      oracle = raw as typeof oracle;
    }
    return oracle;
  };

  cases.forEach((c, i) => {
    it(`${c.name}`, async () => {
      const np = load()[paths[i]];
      let ours: { rows: number; cols: number; data: Float64Array } | { error: unknown };
      try {
        const got = await collectRows(fromNpy(paths[i]).open());
        ours = got;
      } catch (e) { ours = { error: e }; }
      if (!np.ok) {
        // numpy refuses: so do we, as a FormatError with a one-line message.
        expect('error' in ours, `numpy refuses (${np.error}) but we read it`).toBe(true);
        const e = (ours as { error: Error }).error;
        expect(e).toBeInstanceOf(FormatError);
        expect(e.message).not.toMatch(/\n/);
        return;
      }
      if ('error' in ours) {
        // numpy reads it: refusing is allowed only for what we do not read (types, dimensions, emptiness),
        // never for a header numpy accepts and we claim to read.
        expect(c.mustRead, `numpy reads it, we refused: ${(ours.error as Error).message}`).not.toBe(true);
        expect(ours.error).toBeInstanceOf(FormatError);
        expect((ours.error as Error).message).toMatch(/not supported|dimensions|no rows|expected/);
        return;
      }
      expect(np.ndim === 1 || np.ndim === 2).toBe(true);
      expect([ours.rows, ours.cols]).toEqual(np.shape);
      expect(Array.from(ours.data)).toEqual(np.values);
    });
  });

  it('covers the header edge cases the issue lists, with both outcomes', () => {
    const o = load();
    const outcomes = paths.map((p) => o[p].ok);
    expect(outcomes.filter(Boolean).length).toBeGreaterThan(25);
    expect(outcomes.filter((x) => !x).length).toBeGreaterThan(25);
  });
});
