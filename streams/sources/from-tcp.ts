/**
 * An Arrow IPC stream read from a TCP connection to `host:port` (the producer listens). One-shot.
 *
 * The socket is connected lazily by `info()` or `open()` and read in paused mode through its async
 * iterator (TCP flow control slows the producer when we are slow). A connection that closes before
 * the end-of-stream marker, or resets, errors with SourceError `tcp://host:port ended after N rows
 * ... without the Arrow end-of-stream marker` (or `... failed after N rows ...: ECONNRESET`).
 * A refused connection is a SourceError naming the address. Unsubscribing destroys the socket.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { SourceError } from '../../src/errors.js';
import { arrowStreamSession } from './arrow-stream-session.js';
import { oneShotSource } from './one-shot-source.js';
import type { MeasuredSource, SourceOptions } from './source-options.js';
import { transposedSource } from './transposed-source.js';

export interface TcpAddress {
  host?: string;
  port: number;
}

export function fromTcp(address: TcpAddress, opts: SourceOptions = {}): MeasuredSource & { destroy(): void } {
  const host = address.host ?? '127.0.0.1';
  const where = `tcp://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  if ((opts.orientation ?? 'rows') === 'columns') transposedSource({ replayable: false } as MeasuredSource, opts);
  const open = (): Promise<Socket> => new Promise((resolve, reject) => {
    const socket = connect({ host, port: address.port });
    socket.once('connect', () => { socket.off('error', onError); resolve(socket); });
    const onError = (e: Error): void => {
      socket.destroy();
      reject(new SourceError(`cannot connect to ${where}: ${e.message} (is the producer listening?)`));
    };
    socket.once('error', onError);
  });
  return oneShotSource(arrowStreamSession(open, opts, where, 'connection'), where);
}
