/**
 * Opens a source from a command-line spec, dispatching on its form:
 * - `-` or `stdin`: Arrow IPC stream on stdin (one-shot);
 * - `tcp://host:port`: connect to a producer; `listen://host:port` (or `listen://:port`): accept one
 *   (both one-shot);
 * - `synthetic:ROWSxCOLS[:rank=R,noise=X,seed=S,decay=D]`: the synthetic source;
 * - `*.npy`; `*.arrow`, `*.feather`, `*.ipc` (IPC file); `*.arrows` (IPC stream); `*.parquet`, `*.pq`.
 * An unknown extension is refused with an ArgumentError that lists the accepted forms.
 */
import type { MeasuredSource, SourceOptions } from './source-options.js';

export function openSource(spec: string, opts: SourceOptions = {}): Promise<MeasuredSource> {
  void spec; void opts;
  throw new Error('openSource: not implemented yet');
}
