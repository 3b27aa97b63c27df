/**
 * Exit codes and the one-line message of a failed command:
 * - 2: bad usage or bad input: every RangefinderError (argument, shape, non-finite, budget, format,
 *   source, ...), and the operating system's complaints about the input (no such file, permission,
 *   connection refused or reset): `rangefinder: <message>`, no stack trace;
 * - 1: anything else, an internal error: `rangefinder: internal error: <message>` (the stack only
 *   with RANGEFINDER_DEBUG=1).
 */
import { RangefinderError } from '../../src/internals.js';

const INPUT_ERRNO = new Set([
  'ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EPERM', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT',
  'EHOSTUNREACH', 'ENOTFOUND', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EAI_AGAIN',
]);

export function exitCodeOf(err: unknown): 1 | 2 {
  if (err instanceof RangefinderError) return 2;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && INPUT_ERRNO.has(code) ? 2 : 1;
}

export function reportError(err: unknown, stderr: NodeJS.WritableStream, debug = process.env.RANGEFINDER_DEBUG === '1'): 1 | 2 {
  const code = exitCodeOf(err);
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
  stderr.write(code === 2 ? `rangefinder: ${message}\n` : `rangefinder: internal error: ${message}\n`);
  if (debug && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
  return code;
}
