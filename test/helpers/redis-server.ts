/**
 * A real Redis server for the distributed tests (issue 17): Debian's `redis-server` (`.ci/run`
 * installs it), started on a free loopback port of its own — never the system service — with no
 * persistence (`--save '' --appendonly no`, its working directory a fresh temporary one), waited for
 * with PING over a real socket, and stopped (SHUTDOWN NOSAVE, then SIGKILL) by `stop()`.
 *
 * The free port: node binds port 0 on 127.0.0.1, reads the port the kernel chose and closes it, then
 * redis-server is started on it; if another process took it in between, the start is retried on a
 * new one. `REDIS_SERVER` is the binary's path, or undefined when it is not installed: the tests
 * skip with a message only in that case.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p !== '' ? p : undefined;
}

/** The redis-server binary, or undefined when it is not installed. */
export const REDIS_SERVER = which('redis-server');

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` (with `:password@` when started with one). */
  url: string;
  host: string;
  port: number;
  process: ChildProcess;
  /** Stops the server (SHUTDOWN NOSAVE, SIGKILL after 5 s) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** requirepass: clients must send it (`redis://:PASSWORD@host:port`). */
  password?: string;
  /** Extra addresses to bind besides 127.0.0.1 (the network-namespace test's veth ends). */
  bind?: readonly string[];
  /** A fixed port (restarting a stopped server on the port its clients know). */
  port?: number;
}

/** A port the kernel reports free on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends one RESP command and resolves with the first reply line (e.g. `+PONG`), or rejects. */
export function redisCommand(port: number, args: readonly string[], password?: string, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host, port });
    const frame = (a: readonly string[]): string => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`;
    let buf = '';
    let replies = 0;
    const want = password !== undefined ? 2 : 1;
    sock.setTimeout(2000, () => { sock.destroy(); reject(new Error('redis: no reply in 2 s')); });
    sock.on('error', reject);
    // SHUTDOWN answers by closing the connection: resolve with what came (a settled promise ignores the rest).
    sock.on('close', () => resolve(buf.split('\r\n')[want - 1] ?? ''));
    sock.on('connect', () => sock.write((password !== undefined ? frame(['AUTH', password]) : '') + frame(args)));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      const lines = buf.split('\r\n');
      // count complete reply lines (the commands used here answer with one simple line each)
      replies = lines.length - 1;
      if (replies >= want) { sock.end(); resolve(lines[want - 1]!); }
    });
  });
}

/** The text of INFO SECTION (a bulk reply), for counters such as total_commands_processed. */
export function redisInfo(port: number, section: string, host = '127.0.0.1'): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host, port });
    let buf = '';
    sock.setTimeout(5000, () => { sock.destroy(); reject(new Error('redis INFO: no reply in 5 s')); });
    sock.on('error', reject);
    sock.on('connect', () => sock.write(`*2\r\n$4\r\nINFO\r\n$${section.length}\r\n${section}\r\n`));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      const m = /^\$(\d+)\r\n/.exec(buf);
      if (m === null || Buffer.byteLength(buf) < m[0].length + Number(m[1])) return;
      sock.end();
      resolve(Object.fromEntries(buf.slice(m[0].length).split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':', 2) as [string, string])));
    });
  });
}

/** Starts redis-server on a free loopback port and waits until it answers PING. */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  if (REDIS_SERVER === undefined) throw new Error('redis-server is not installed (apt-get install redis-server)');
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = opts.port ?? await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'rf-redis-'));
    const args = [
      '--port', String(port), '--bind', ['127.0.0.1', ...(opts.bind ?? [])].join(' '), '--save', '', '--appendonly', 'no',
      '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning', '--protected-mode', 'no',
      ...(opts.password !== undefined ? ['--requirepass', opts.password] : []),
    ];
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { log += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { log += d; });
    let exited = false;
    child.once('exit', () => { exited = true; });
    const deadline = Date.now() + 10_000;
    let up = false;
    while (!exited && Date.now() < deadline) {
      try {
        if ((await redisCommand(port, ['PING'], opts.password)) === '+PONG') { up = true; break; }
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!up) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      lastError = new Error(`redis-server on port ${port} did not answer PING${exited ? ` (it exited: ${log.trim()})` : ' in 10 s'}`);
      if (opts.port !== undefined) break;
      continue;
    }
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => stopped ??= (async () => {
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        await redisCommand(port, ['SHUTDOWN', 'NOSAVE'], opts.password).catch(() => undefined);
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : '';
    return { url: `redis://${auth}127.0.0.1:${port}`, host: '127.0.0.1', port, process: child, stop };
  }
  throw lastError;
}
