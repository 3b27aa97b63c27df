/** Test helper: the paths of this process's open file descriptors (Linux /proc). */
import { readdirSync, readlinkSync } from 'node:fs';

export function openFilePaths(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try { out.push(readlinkSync(`/proc/self/fd/${fd}`)); } catch { /* closed meanwhile */ }
  }
  return out;
}

export async function waitUntil(cond: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}
