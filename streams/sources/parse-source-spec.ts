/**
 * The forms of a source spec on the command line (see `openSource`), parsed without touching the
 * file system or the network.
 */
import { ArgumentError } from '../../src/internals.js';
import type { SyntheticSpec } from './from-synthetic.js';

export type ParsedSourceSpec =
  | { kind: 'stdin' }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'listen'; host: string; port: number }
  | { kind: 'synthetic'; spec: SyntheticSpec }
  | { kind: 'npy' | 'arrow-file' | 'arrow-stream' | 'parquet'; path: string };

export const SOURCE_SPEC_FORMS =
  "a path ending in .npy, .arrow / .feather / .ipc (Arrow IPC file), .arrows (Arrow IPC stream) or .parquet / .pq; " +
  "'-' for an Arrow IPC stream on stdin; tcp://HOST:PORT (connect to a producer); listen://[HOST]:PORT (accept one producer); " +
  'synthetic:ROWSxCOLS[:rank=R,noise=X,decay=D,seed=S,dtype=float32]';

export function parseSourceSpec(spec: string): ParsedSourceSpec {
  if (spec === '-' || spec === 'stdin') return { kind: 'stdin' };
  // HOST is a name, an IPv4 address or a bracketed IPv6 address ([::1]).
  let m = /^(tcp|listen):\/\/(\[[0-9A-Fa-f:.%a-zA-Z]+\]|[^:/[\]]*):(\d+)$/.exec(spec);
  if (m !== null) {
    const port = Number(m[3]);
    if (port > 65535) throw new ArgumentError(`${spec}: port ${m[3]} is out of range (expected 0 to 65535)`);
    const host = m[2].replace(/^\[(.*)\]$/, '$1');
    if (m[1] === 'tcp') {
      if (host === '') throw new ArgumentError(`${spec}: expected tcp://HOST:PORT with a host`);
      if (port === 0) throw new ArgumentError(`${spec}: port 0 cannot be connected to (expected 1 to 65535)`);
      return { kind: 'tcp', host, port };
    }
    return { kind: 'listen', host: host === '' ? '127.0.0.1' : host, port };
  }
  m = /^synthetic:(\d+)x(\d+)(?::(.*))?$/.exec(spec);
  if (m !== null) {
    const s: SyntheticSpec = { rows: Number(m[1]), cols: Number(m[2]) };
    for (const kv of (m[3] ?? '').split(',').filter((x) => x.length > 0)) {
      const [k, v] = kv.split('=');
      if (k === 'rank' || k === 'noise' || k === 'decay' || k === 'seed') s[k] = Number(v);
      else if (k === 'dtype' && (v === 'float32' || v === 'float64')) s.dtype = v;
      else throw new ArgumentError(`synthetic source: unknown parameter "${kv}" (expected rank=, noise=, decay=, seed=, dtype=float32|float64)`);
    }
    return { kind: 'synthetic', spec: s };
  }
  const lower = spec.toLowerCase();
  if (lower.endsWith('.npy')) return { kind: 'npy', path: spec };
  if (/\.(arrow|feather|ipc)$/.test(lower)) return { kind: 'arrow-file', path: spec };
  if (lower.endsWith('.arrows')) return { kind: 'arrow-stream', path: spec };
  if (/\.(parquet|pq)$/.test(lower)) return { kind: 'parquet', path: spec };
  throw new ArgumentError(`cannot tell the format of "${spec}"; a source is ${SOURCE_SPEC_FORMS}`);
}
