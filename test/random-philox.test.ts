/**
 * Philox4x32-10 (src/random/philox.ts) against Random123's known-answer vectors
 * (tests/kat_vectors of github.com/DEShawResearch/random123, the `philox4x32 10` lines), its exact
 * 32 x 32 -> 64-bit high half against BigInt, and the purpose registry.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mulhi, philox4x32 } from '../src/random/philox.js';
import { DATA_PURPOSES, MAP_PURPOSES, PURPOSES, purposeDomain, purposeKey, type Purpose } from '../src/random/purposes.js';

const KAT: [number[], number[], number[]][] = [
  // counter (4 words), key (2 words), expected (4 words)
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

describe('Philox4x32-10', () => {
  it('matches the Random123 known-answer vectors (unsigned and int32 outputs)', () => {
    for (const [c, k, want] of KAT) {
      const u = new Uint32Array(4), s = new Int32Array(4);
      philox4x32(c[0], c[1], c[2], c[3], k[0], k[1], u);
      expect(Array.from(u)).toEqual(want);
      philox4x32(c[0] | 0, c[1] | 0, c[2] | 0, c[3] | 0, k[0] | 0, k[1] | 0, s); // the same words as int32 inputs
      expect(Array.from(s)).toEqual(want.map((x) => x | 0));
    }
  });

  it('mulhi is the exact high half of the 64-bit product (checked against BigInt)', () => {
    const exact = (a: number, b: number) => Number((BigInt(a) * BigInt(b)) >> 32n);
    // b = -1 / M mod 2^32 makes M b = N 2^32 - 1 (above 2^53): the double product rounds up to N 2^32, so the
    // high half taken from it is one too large. Negative control: that naive formula fails here.
    const inv = (m: bigint) => { let x = 1n; for (let t = 0; t < 5; t++) x = (x * (2n - m * x)) & 0xffffffffn; return x; };
    const hard = [0xd2511f53n, 0xcd9e8d57n].map((m) => Number((2n ** 32n - inv(m)) & 0xffffffffn));
    const naive = (a: number, b: number) => Math.floor(a * b / 2 ** 32);
    expect(naive(0xd2511f53, hard[0])).toBe(exact(0xd2511f53, hard[0]) + 1);
    expect(naive(0xcd9e8d57, hard[1])).toBe(exact(0xcd9e8d57, hard[1]) + 1);
    const edge = [0, 1, 2, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57, ...hard];
    for (const a of edge) for (const b of edge) expect(mulhi(a, b) >>> 0).toBe(exact(a, b));
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (a, b) => {
      expect(mulhi(a, b) >>> 0).toBe(exact(a, b));
      expect(mulhi(a | 0, b | 0)).toBe(mulhi(a, b)); // int32 bit patterns are read as unsigned
    }), { numRuns: 20000 });
  });
});

/** Philox4x32-10 in BigInt arithmetic (the specification, no tricks). */
function philoxBig(c: number[], k: number[]): number[] {
  const M = 0xffffffffn;
  let [x0, x1, x2, x3] = c.map(BigInt) as [bigint, bigint, bigint, bigint];
  let [a, b] = k.map(BigInt) as [bigint, bigint];
  for (let r = 0; r < 10; r++) {
    const p0 = 0xd2511f53n * x0, p1 = 0xcd9e8d57n * x2;
    [x0, x1, x2, x3] = [(p1 >> 32n) ^ x1 ^ a, p1 & M, (p0 >> 32n) ^ x3 ^ b, p0 & M];
    a = (a + 0x9e3779b9n) & M; b = (b + 0xbb67ae85n) & M;
  }
  return [x0, x1, x2, x3].map(Number);
}

describe('Philox4x32-10 against BigInt', () => {
  it('equals the BigInt specification on random counters and keys', () => {
    const u = new Uint32Array(4), w = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    fc.assert(fc.property(w, w, w, w, w, w, (c0, c1, c2, c3, k0, k1) => {
      philox4x32(c0, c1, c2, c3, k0, k1, u);
      expect(Array.from(u)).toEqual(philoxBig([c0, c1, c2, c3], [k0, k1]));
    }), { numRuns: 3000 });
  });
});

describe('purpose registry', () => {
  it('gives every purpose a distinct key, maps in domain 0 and data in domain 1', () => {
    const keys = PURPOSES.map(purposeKey);
    expect(new Set(keys).size).toBe(PURPOSES.length);
    for (const p of MAP_PURPOSES) { expect(purposeKey(p)).toBeLessThan(2 ** 31); expect(purposeDomain(p)).toBe(0); }
    for (const p of DATA_PURPOSES) { expect(purposeKey(p)).toBeGreaterThanOrEqual(2 ** 31); expect(purposeDomain(p)).toBe(1); }
    for (const p of ['omega', 'psi', 'upsilon', 'phi', 'theta', 'multipass-omega', 'multipass-psi'] as Purpose[]) expect(MAP_PURPOSES).toContain(p);
    for (const p of ['synthetic:left', 'synthetic:right', 'synthetic:noise', 'haar', 'low-rank-noise'] as Purpose[]) expect(DATA_PURPOSES).toContain(p);
  });

  it('rejects an unknown name', () => {
    expect(() => purposeKey('omega ' as Purpose)).toThrow(/unknown random-stream purpose/);
    expect(() => purposeKey('toString' as Purpose)).toThrow(/unknown random-stream purpose/);
  });
});
