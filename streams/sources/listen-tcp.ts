/**
 * Listens on `host:port` (loopback `127.0.0.1` by default; pass `host: '0.0.0.0'` deliberately to
 * accept remote producers) and reads an Arrow IPC stream from the first producer that connects.
 * Resolves once listening, with the actual port (pass `port: 0` for an ephemeral port in tests).
 * The server stops listening after accepting one producer; later connections are refused by the OS.
 * One-shot, like `fromTcp`.
 *
 * `close()` stops listening and drops the connection if any; completing, erroring or unsubscribing
 * the opened stream does the same.
 */
import { createServer, type Socket } from 'node:net';
import { finalize } from 'rxjs';
import { SourceError } from '../../src/internals.js';
import { composeSource } from '../wrappers/compose-source.js';
import { oneShotColumnsError } from '../wrappers/transposed.js';
import { arrowStreamSession } from './arrow-stream-session.js';
import { oneShotSource } from './one-shot-source.js';
import { decodeOptionsOf, type MeasuredSource, type SourceOptions } from './source-options.js';
import { tcpWhere, type TcpAddress } from './from-tcp.js';

export interface ListeningSource extends MeasuredSource {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listenTcp(address: Partial<TcpAddress> = {}, opts: SourceOptions = {}): Promise<ListeningSource> {
  const host = address.host ?? '127.0.0.1';
  if ((opts.orientation ?? 'rows') === 'columns') throw oneShotColumnsError();
  const server = createServer({ pauseOnConnect: true });
  let accepted: Socket | null = null;
  const waiters: { resolve: (s: Socket) => void; reject: (e: Error) => void }[] = [];
  let closedError: Error | null = null;
  server.on('connection', (socket) => {
    if (accepted !== null) { socket.destroy(); return; }
    accepted = socket;
    server.close();
    for (const w of waiters.splice(0)) w.resolve(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new SourceError(`cannot listen on tcp://${host}:${address.port ?? 0}: ${e.message}`)));
    server.listen({ host, port: address.port ?? 0 }, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const where = `${tcpWhere(host, port)} (listening)`;
  const limit = opts.connectTimeoutMs ?? 0;
  const accept = (): Promise<Socket> => {
    if (accepted !== null) return Promise.resolve(accepted);
    if (closedError !== null) return Promise.reject(closedError);
    return new Promise((resolve, reject) => {
      const timer = limit > 0 ? setTimeout(() => {
        closedError ??= new SourceError(`${where}: no producer connected within ${limit / 1000} s (0 rows received; --connect-timeout)`);
        for (const w of waiters.splice(0)) w.reject(closedError);
        if (server.listening) server.close();
      }, limit) : null;
      timer?.unref();
      waiters.push({
        resolve: (s) => { if (timer !== null) clearTimeout(timer); resolve(s); },
        reject: (e) => { if (timer !== null) clearTimeout(timer); reject(e); },
      });
    });
  };
  const decoded = oneShotSource(arrowStreamSession(accept, decodeOptionsOf(opts), where, 'connection'), where);
  const source = composeSource({ where, replayable: false, rows: () => decoded }, opts);
  const close = async (): Promise<void> => {
    closedError ??= new SourceError(`${where} was closed before a producer connected`);
    for (const w of waiters.splice(0)) w.reject(closedError);
    decoded.destroy();
    (accepted as Socket | null)?.destroy();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    replayable: false,
    stats: source.stats,
    info: () => source.info(),
    open: () => source.open().pipe(finalize(() => { void close(); })),
    host, port, close,
  };
}
