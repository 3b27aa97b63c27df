/**
 * The engine of `approx --distributed` and `worker` (issue 17): BullMQ on Redis, with ioredis as
 * the Redis client. Both are optional peer dependencies, loaded here only (a run without
 * --distributed never loads them); without them the command says how to install them (exit 2).
 *
 * Names. Every key is under the prefix `rangefinder` (not BullMQ's default `bull`), so a Redis that
 * also serves other BullMQ queues keeps them apart. Shard jobs go to the one queue `shards` that
 * every worker serves; a run's parent job (the merge) goes to the run's own queue `run-RUNID`,
 * which only the run's client serves and removes at the end.
 *
 * Connections. ioredis gets the URL as it is (password, TLS for `rediss://`, database number);
 * `maxRetriesPerRequest: null` as BullMQ requires for workers and blocking reads, and a retry
 * strategy that keeps reconnecting (200 ms steps up to 2 s). What a lost Redis means is the
 * caller's decision: the run's client gives up after --connect-timeout (run-distributed.ts), a
 * worker keeps trying (the operator restarts Redis), and both say so on stderr.
 */
import { hostname } from 'node:os';
import type * as BullMQ from 'bullmq';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { ArgumentError } from '../../../src/internals.js';
import type { RedisTarget } from './redis-url.js';

export const QUEUE_PREFIX = 'rangefinder';
export const SHARD_QUEUE = 'shards';

export interface QueueEngine {
  bullmq: typeof BullMQ;
  /** A new connection; `watch` hears when it is lost and when it is back. */
  connect(target: RedisTarget, role: string, watch?: ConnectionWatch): RedisClient;
}

export interface ConnectionWatch {
  /** The connection is down (first error or close since it was last ready), with the reason. */
  down(reason: string): void;
  up(): void;
}

export async function loadQueueEngine(what: string): Promise<QueueEngine> {
  let bullmq: typeof BullMQ, Redis: typeof RedisClient;
  try {
    bullmq = await import('bullmq');
    Redis = (await import('ioredis')).Redis;
  } catch {
    throw new ArgumentError(`${what} needs bullmq and ioredis, optional peer dependencies of rangefinder: install them with \`npm install bullmq@6 ioredis@5\``);
  }
  return {
    bullmq,
    connect(target, role, watch) {
      const opts: RedisOptions = {
        maxRetriesPerRequest: null,
        connectTimeout: 10_000,
        retryStrategy: (times) => Math.min(200 * times, 2000),
        connectionName: `rangefinder-${role}-${hostname()}-${process.pid}`.replace(/[^\w.-]/g, '_'),
      };
      const client = new Redis(target.url, opts);
      let isDown = false;
      // ioredis prints unhandled 'error' events itself: every connection has a listener. The
      // watcher hears every reason while down (the latest is the one to report).
      const down = (reason: string): void => { const first = !isDown; isDown = true; if (first || reason !== 'connection closed') watch?.down(reason); };
      client.on('error', (e: Error & { code?: string }) => down(e.code ?? e.message));
      client.on('close', () => down('connection closed'));
      client.on('ready', () => { if (isDown) { isDown = false; watch?.up(); } });
      return client;
    },
  };
}
