/**
 * An Arrow IPC stream read from a TCP connection to `host:port` (the producer listens). One-shot.
 *
 * The socket is connected lazily by `info()` or `open()` and read in paused mode through its async
 * iterator (TCP flow control slows the producer when we are slow). A connection that closes before
 * the end-of-stream marker, or resets, errors with SourceError `tcp://host:port ended after N rows
 * ... without the Arrow end-of-stream marker` (or `... failed after N rows ...: ECONNRESET`).
 * A refused connection is a SourceError naming the address. Unsubscribing destroys the socket.
 * `tcpDecoder` only decodes; `fromTcp` composes the rest (compose-source.ts).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { SourceError } from '../../src/internals.js';
import { composeSource } from '../wrappers/compose-source.js';
import { arrowStreamSession } from './arrow-stream-session.js';
import type { FormatDecoder } from './decoder.js';
import { oneShotSource } from './one-shot-source.js';
import { decodeOptionsOf, type DecodeOptions, type MeasuredSource, type SourceOptions } from './source-options.js';

export interface TcpAddress {
  host?: string;
  port: number;
}

export function tcpWhere(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function tcpDecoder(address: TcpAddress, opts: DecodeOptions = {}): FormatDecoder & { destroy(): void } {
  const host = address.host ?? '127.0.0.1';
  const where = tcpWhere(host, address.port);
  const limit = opts.connectTimeoutMs ?? 0;
  const open = (): Promise<Socket> => new Promise((resolve, reject) => {
    const socket = connect({ host, port: address.port });
    const timer = limit > 0 ? setTimeout(() => {
      socket.destroy();
      reject(new SourceError(`cannot connect to ${where}: no connection after ${limit / 1000} s (0 rows received; --connect-timeout)`));
    }, limit) : null;
    socket.once('connect', () => { if (timer !== null) clearTimeout(timer); socket.off('error', onError); resolve(socket); });
    const onError = (e: Error): void => {
      if (timer !== null) clearTimeout(timer);
      socket.destroy();
      reject(new SourceError(`cannot connect to ${where}: ${e.message} (is the producer listening?)`));
    };
    socket.once('error', onError);
  });
  const source = oneShotSource(arrowStreamSession(open, opts, where, 'connection'), where);
  return { where, replayable: false, rows: () => source, destroy: () => source.destroy() };
}

export function fromTcp(address: TcpAddress, opts: SourceOptions = {}): MeasuredSource & { destroy(): void } {
  const decoder = tcpDecoder(address, decodeOptionsOf(opts));
  const composed = composeSource(decoder, opts);
  return new Proxy(composed, { get: (t, k, r) => (k === 'destroy' ? decoder.destroy : Reflect.get(t, k, r) as unknown) }) as unknown as MeasuredSource & { destroy(): void };
}
