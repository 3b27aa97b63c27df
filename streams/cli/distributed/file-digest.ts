/** Bytes and SHA-256 of a file, read as a stream (a shard's sketch can be large). */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

export function fileDigest(path: string): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (c) => h.update(c)).on('error', reject)
      .on('end', () => { try { resolve({ bytes: statSync(path).size, sha256: h.digest('hex') }); } catch (e) { reject(e); } });
  });
}
