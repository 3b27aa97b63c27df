/**
 * An Arrow IPC stream read from a TCP connection to `host:port` (the producer listens). One-shot.
 *
 * The socket is connected lazily by `info()` or `open()` and read in paused mode through its async
 * iterator (TCP flow control slows the producer when we are slow). A connection that closes before
 * the end-of-stream marker, or resets, errors with SourceError `tcp://host:port dropped after
 * N rows (M batches): ...`. Unsubscribing destroys the socket.
 */
import type { MeasuredSource, SourceOptions } from './source-options.js';

export interface TcpAddress {
  host?: string;
  port: number;
}

export function fromTcp(address: TcpAddress, opts: SourceOptions = {}): MeasuredSource {
  void address; void opts;
  throw new Error('fromTcp: not implemented yet');
}
