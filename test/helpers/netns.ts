/**
 * Network namespaces for the distributed end-to-end test (issue 17): each worker runs in a namespace
 * of its own with one veth link to the test's namespace, so it reaches Redis only over that link
 * (not over loopback) and shares no port or socket with the client or the other workers. It needs
 * root and `ip` (iproute2); `createNamespaces` returns null when the machine does not allow it
 * (then the workers run as plain separate processes, and the test says so).
 *
 * Names carry the test process's pid (`rf<pid>n<i>`), the addresses a /30 per namespace in
 * 10.<200 + i>.<pid mod 250>.0, so two test runs do not collide; `remove()` deletes the namespaces
 * (which deletes their veth ends and the peers).
 */
import { spawnSync } from 'node:child_process';

export interface Namespace {
  name: string;
  /** The test side of the link (Redis binds it). */
  hostIp: string;
  /** The worker side. */
  nsIp: string;
  /** The command prefix that runs a program inside the namespace. */
  exec: string[];
}

function ip(args: string[]): boolean {
  return spawnSync('ip', args, { stdio: 'ignore' }).status === 0;
}

export function createNamespaces(count: number): { namespaces: Namespace[]; remove(): void } | null {
  if (process.getuid?.() !== 0 || spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return null;
  const made: Namespace[] = [];
  const remove = (): void => {
    for (const ns of made) { ip(['netns', 'del', ns.name]); ip(['link', 'del', `${ns.name}h`]); }
    made.length = 0;
  };
  const tag = process.pid % 250;
  for (let i = 0; i < count; i++) {
    const name = `rf${process.pid}n${i}`;
    const net = `10.${200 + i}.${tag}`;
    const ns: Namespace = { name, hostIp: `${net}.1`, nsIp: `${net}.2`, exec: ['ip', 'netns', 'exec', name] };
    const ok = ip(['netns', 'add', name]) && (made.push(ns), true)
      && ip(['link', 'add', `${name}h`, 'type', 'veth', 'peer', 'name', `${name}w`])
      && ip(['link', 'set', `${name}w`, 'netns', name])
      && ip(['addr', 'add', `${ns.hostIp}/30`, 'dev', `${name}h`])
      && ip(['link', 'set', `${name}h`, 'up'])
      && ip(['-n', name, 'addr', 'add', `${ns.nsIp}/30`, 'dev', `${name}w`])
      && ip(['-n', name, 'link', 'set', `${name}w`, 'up'])
      && ip(['-n', name, 'link', 'set', 'lo', 'up']);
    if (!ok) { remove(); return null; }
  }
  return { namespaces: made, remove };
}
