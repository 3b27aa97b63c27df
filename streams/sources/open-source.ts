/**
 * Opens a source from a command-line spec, dispatching on its form:
 * - `-` or `stdin`: Arrow IPC stream on stdin (one-shot);
 * - `tcp://host:port`: connect to a producer; `listen://host:port` (or `listen://:port`): accept one
 *   (both one-shot);
 * - `synthetic:ROWSxCOLS[:rank=R,noise=X,seed=S,decay=D,dtype=float32]`: the synthetic source;
 * - `*.npy`; `*.arrow`, `*.feather`, `*.ipc` (IPC file); `*.arrows` (IPC stream); `*.parquet`, `*.pq`.
 * An unknown form is refused with an ArgumentError that lists the accepted forms. Async because
 * `listen://` resolves once the port is bound. Each format's reader is imported only when it is
 * opened: Arrow and Parquet are ~700 modules, most of the CLI's start-up for a .npy input.
 */
import { parseSourceSpec, type ParsedSourceSpec } from './parse-source-spec.js';
import { sniffFormat } from './sniff-format.js';
import { FormatError } from '../../src/internals.js';
import type { MeasuredSource, SourceOptions } from './source-options.js';

/**
 * The form of a spec, with files recognised by their first bytes (sniff-format.ts): an Arrow IPC
 * stream named `.arrow`, a .npy file named `.bin`, are read as what they are; a FIFO is read as an
 * Arrow IPC stream; a file whose magic is not recognised falls back to its extension.
 */
export function resolveSourceSpec(spec: string): ParsedSourceSpec | { kind: 'fifo'; path: string } | { kind: 'empty'; path: string } {
  const isForm = spec === '-' || spec === 'stdin' || /^(tcp|listen):\/\//.test(spec) || spec.startsWith('synthetic:');
  if (!isForm) {
    const sniffed = sniffFormat(spec);
    if (sniffed === 'fifo' || sniffed === 'empty') return { kind: sniffed, path: spec };
    if (sniffed !== null) return { kind: sniffed, path: spec };
  }
  return parseSourceSpec(spec);
}

export async function openSource(spec: string, opts: SourceOptions = {}): Promise<MeasuredSource> {
  const p = resolveSourceSpec(spec);
  switch (p.kind) {
    case 'empty': throw new FormatError(`${p.path} is empty (0 bytes): expected a .npy, Arrow IPC or Parquet file`);
    case 'fifo': return (await import('./from-fifo.js')).fromFifo(p.path, opts);
    case 'stdin': return (await import('./from-arrow-stream.js')).fromArrowStream('stdin', opts);
    case 'tcp': return (await import('./from-tcp.js')).fromTcp({ host: p.host, port: p.port }, opts);
    case 'listen': return (await import('./listen-tcp.js')).listenTcp({ host: p.host, port: p.port }, opts);
    case 'synthetic': return (await import('./from-synthetic.js')).fromSynthetic(p.spec, opts);
    case 'npy': return (await import('./from-npy.js')).fromNpy(p.path, opts);
    case 'arrow-file': return (await import('./from-arrow-file.js')).fromArrowFile(p.path, opts);
    case 'arrow-stream': return (await import('./from-arrow-stream.js')).fromArrowStream(p.path, opts);
    case 'parquet': return (await import('./from-parquet.js')).fromParquet(p.path, opts);
  }
}
