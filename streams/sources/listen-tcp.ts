/**
 * Listens on `host:port` (loopback `127.0.0.1` by default; pass `host: '0.0.0.0'` deliberately to
 * accept remote producers) and reads an Arrow IPC stream from the first producer that connects.
 * Resolves once listening, with the actual port (pass `port: 0` for an ephemeral port in tests).
 * The server stops listening after accepting one producer. One-shot, like `fromTcp`.
 *
 * `close()` stops listening (and drops a connection) if the source is never opened; unsubscribing
 * or completing does the same.
 */
import type { MeasuredSource, SourceOptions } from './source-options.js';
import type { TcpAddress } from './from-tcp.js';

export interface ListeningSource extends MeasuredSource {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export function listenTcp(address: Partial<TcpAddress> = {}, opts: SourceOptions = {}): Promise<ListeningSource> {
  void address; void opts;
  throw new Error('listenTcp: not implemented yet');
}
