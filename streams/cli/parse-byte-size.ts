/**
 * Byte sizes on the command line: plain bytes (`1048576`), SI units (`500k`, `500kB`, `64MB`,
 * `1GB` = powers of 1000) and IEC units (`64KiB`, `64MiB`, `1GiB` = powers of 1024), case-insensitive,
 * with an optional space and fraction (`1.5GiB`). Anything else is a UsageError naming the option.
 */
import { UsageError } from './usage-error.js';

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3, ti: 1024 ** 4, tib: 1024 ** 4,
};

export function parseByteSize(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`${option} expects a byte size such as 64MiB, 1GB, 500k or 1048576, found '${text}'`);
  }
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) throw new UsageError(`${option} must be a positive byte size, found '${text}'`);
  return bytes;
}
