/**
 * The registry of stream purposes: every seeded random stream is keyed by (seed, purpose), and a
 * purpose is one row of this table, a numeric id and a domain. The Philox key's second word is
 * `domain * 2^31 + id` (`purposeKey`): domain 0 holds the maps of the algorithms (sketch and
 * multi-pass test matrices, random starts), domain 1 the generators of data (synthetic sources and
 * matrices, test and benchmark inputs). Keys of the two domains never coincide, so a data stream
 * cannot meet a map's stream whatever the seeds and purposes [SMDS11: distinct keys give
 * independent streams].
 *
 * Names are mapped to ids through this one table only; a name that is not in it is a programming
 * error (a TypeScript type error, and an ArgumentError at run time). Ids are part of the values:
 * changing a row changes every matrix drawn with it. Add new purposes with new ids.
 */
import { ArgumentError } from '../errors.js';

export const MAP_DOMAIN = 0;
export const DATA_DOMAIN = 1;

const TABLE = {
  // Domain 0: maps of the algorithms.
  omega: [MAP_DOMAIN, 1], // single-pass range map (n x k), kept
  psi: [MAP_DOMAIN, 2], // co-range map of the two-sketch (n x s), kept
  upsilon: [MAP_DOMAIN, 3], // three-sketch co-range map, streamed axis
  phi: [MAP_DOMAIN, 4], // three-sketch core map, streamed axis
  theta: [MAP_DOMAIN, 5], // error-estimate map, streamed axis
  'multipass-omega': [MAP_DOMAIN, 6], // starting block of RSI / block Krylov / Gram passes
  'multipass-psi': [MAP_DOMAIN, 7], // co-range map of the any-views method
  'spectral-norm': [MAP_DOMAIN, 8], // random start of the power method
  'omega-redraw': [MAP_DOMAIN, 9], // a kept Omega drawn again because it was rank deficient (src/maps/kept-map.ts)
  'psi-redraw': [MAP_DOMAIN, 10], // the same for a kept Psi
  // Domain 1: data.
  'synthetic:left': [DATA_DOMAIN, 1], // synthetic source: left factor L (rows)
  'synthetic:right': [DATA_DOMAIN, 2], // synthetic source: right factor R
  'synthetic:noise': [DATA_DOMAIN, 3], // synthetic source: noise G (rows)
  haar: [DATA_DOMAIN, 4], // haarOrthogonal / haarFrame default
  'haar-left': [DATA_DOMAIN, 5],
  'haar-right': [DATA_DOMAIN, 6],
  'low-rank-noise': [DATA_DOMAIN, 7], // lowRankPlusNoise's G
  // Inputs of tests and benchmarks (data, never maps).
  'test-left': [DATA_DOMAIN, 16],
  'test-right': [DATA_DOMAIN, 17],
  'test-noise': [DATA_DOMAIN, 18],
  'test-a': [DATA_DOMAIN, 19],
  'test-b': [DATA_DOMAIN, 20],
  'test-c': [DATA_DOMAIN, 21],
  'test-x': [DATA_DOMAIN, 22],
  'bench-left': [DATA_DOMAIN, 32],
  'bench-right': [DATA_DOMAIN, 33],
  'bench-a': [DATA_DOMAIN, 34],
  'bench-b': [DATA_DOMAIN, 35],
  'bench-noise': [DATA_DOMAIN, 36],
} as const satisfies Record<string, readonly [number, number]>;

export type Purpose = keyof typeof TABLE;

/** Every registered purpose name. */
export const PURPOSES: readonly Purpose[] = Object.keys(TABLE) as Purpose[];

/** The map purposes (domain 0) and the data purposes (domain 1). */
export const MAP_PURPOSES: readonly Purpose[] = PURPOSES.filter((p) => TABLE[p][0] === MAP_DOMAIN);
export const DATA_PURPOSES: readonly Purpose[] = PURPOSES.filter((p) => TABLE[p][0] === DATA_DOMAIN);

{
  const seen = new Set<number>();
  for (const p of PURPOSES) {
    const key = purposeKeyOf(p);
    if (seen.has(key)) throw new Error(`purposes: duplicate key ${key} (${p})`);
    seen.add(key);
  }
}

function purposeKeyOf(p: Purpose): number {
  const [domain, id] = TABLE[p];
  return domain * 2147483648 + id;
}

/** The second Philox key word of `purpose` (unsigned 32-bit): domain 2^31 + id. Throws on an unknown name. */
export function purposeKey(purpose: Purpose): number {
  if (!Object.prototype.hasOwnProperty.call(TABLE, purpose)) {
    throw new ArgumentError(`unknown random-stream purpose '${String(purpose)}' (register it in src/random/purposes.ts)`);
  }
  return purposeKeyOf(purpose);
}

/** Domain (MAP_DOMAIN or DATA_DOMAIN) of `purpose`. */
export function purposeDomain(purpose: Purpose): number {
  return purposeKey(purpose) >= 2147483648 ? DATA_DOMAIN : MAP_DOMAIN;
}
