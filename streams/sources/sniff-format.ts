/**
 * The format of an input file from its first bytes (the extension is only a hint): `\x93NUMPY`
 * (.npy), `ARROW1` (Arrow IPC file), `PAR1` (Parquet), a message header `FF FF FF FF` + length or a
 * pre-0.15 length + flatbuffer (Arrow IPC stream). A FIFO or character device (a named pipe,
 * /dev/stdin) is a stream whatever its name: it cannot be read twice or at an offset.
 * `null`: no magic recognised (the extension decides, and the decoder's own check then says what
 * was found).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export type SniffedFormat = 'npy' | 'arrow-file' | 'arrow-stream' | 'parquet' | 'fifo' | 'empty';

export function sniffFormat(path: string): SniffedFormat | null {
  let st;
  try { st = statSync(path); } catch { return null; }
  if (st.isFIFO() || st.isCharacterDevice() || st.isSocket()) return 'fifo';
  if (!st.isFile()) return null;
  if (st.size === 0) return 'empty';
  const head = Buffer.alloc(8);
  let got = 0;
  const fd = openSync(path, 'r');
  try { got = readSync(fd, head, 0, 8, 0); } finally { closeSync(fd); }
  const text = head.subarray(0, got).toString('latin1');
  if (text.startsWith('\x93NUMPY')) return 'npy';
  if (text.startsWith('ARROW1')) return 'arrow-file';
  if (text.startsWith('PAR1')) return 'parquet';
  if (got >= 8 && head.readUInt32LE(0) === 0xffffffff) {
    const len = head.readInt32LE(4);
    if (len >= 0 && len < st.size) return 'arrow-stream';
  }
  return null;
}
