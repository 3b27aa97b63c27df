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
import { parseSourceSpec } from './parse-source-spec.js';
import type { MeasuredSource, SourceOptions } from './source-options.js';

export async function openSource(spec: string, opts: SourceOptions = {}): Promise<MeasuredSource> {
  const p = parseSourceSpec(spec);
  switch (p.kind) {
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
