/**
 * The Redis address of `approx --distributed URL` and `worker URL` (issue 17), checked at the
 * boundary: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` or `rediss://...` (TLS). The URL is handed
 * to ioredis as it is (it reads the password, the database and, for `rediss:`, turns TLS on); what
 * is printed or put in an error message is `display`, with the password replaced by `***`, so a
 * secret never reaches a log, a job or the summary.
 */
import { UsageError } from '../usage-error.js';

export interface RedisTarget {
  /** The URL as given: for ioredis only, never printed. */
  readonly url: string;
  /** The URL with the password masked: for messages. */
  readonly display: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

export function parseRedisUrl(spec: string, what: string): RedisTarget {
  let u: URL;
  try { u = new URL(spec); } catch {
    throw new UsageError(`${what} ${maskText(spec)}: not a URL; expected redis://HOST:PORT (or rediss:// for TLS, redis://:PASSWORD@HOST:PORT with a password)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UsageError(`${what} ${maskText(spec)}: the scheme is ${u.protocol.replace(/:$/, '')}, expected redis:// or rediss:// (TLS)`);
  }
  if (u.hostname === '') throw new UsageError(`${what} ${maskText(spec)}: no host; expected redis://HOST:PORT`);
  const port = u.port === '' ? 6379 : Number(u.port);
  if (u.pathname !== '' && u.pathname !== '/' && !/^\/\d+$/.test(u.pathname)) {
    throw new UsageError(`${what} ${maskText(spec)}: the path ${u.pathname} is not a database number (redis://HOST:PORT/DB)`);
  }
  const masked = new URL(spec);
  if (masked.password !== '') masked.password = '***';
  return { url: spec, display: masked.toString().replace(/\/$/, ''), host: u.hostname, port, tls: u.protocol === 'rediss:' };
}

/** A string that may hold `:password@`, with the password masked (for a spec that is not even a URL). */
function maskText(s: string): string {
  return s.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}
