/**
 * The framing of an Arrow IPC stream, checked before Arrow's reader sees (and allocates for) a
 * message: a peer on a socket or a pipe decides how many bytes it declares, so every message is
 * capped, and everything that is not one stream of messages is refused with its byte offset.
 *
 * A message is: [0xFFFFFFFF] int32 metadata length L, L bytes of flatbuffer metadata (the Message
 * table: its header type and body length), then the body (Arrow spec, "Encapsulated message
 * format"; streams before 0.15 omit the 0xFFFFFFFF). L = 0 is the end-of-stream marker.
 *
 * Checks, each a FormatError naming the place, the byte offset and the message number:
 * - the first bytes must be a message header: random bytes are "not an Arrow IPC stream" (with the
 *   bytes found), not a stream "cut off mid-stream";
 * - L and the body length must be within the caps (`maxMetadata`, `maxBody()`): a larger
 *   declaration is refused before a byte of it is buffered (naming the size and the cap);
 * - the metadata must decode as an Arrow message, and the first message must be a schema (a later
 *   schema is refused by the layout at the first row it would change, naming both types);
 * - nothing may follow the end-of-stream marker (a second stream would be dropped without a word).
 *
 * The bytes are passed through unchanged, as they arrive (a body is never accumulated here), so
 * backpressure and memory stay as they were: Arrow's reader asks for the next chunk only when it
 * needs it, and this asks its source for the next chunk only then.
 */
import { Message, MessageHeader } from 'apache-arrow';
import { FormatError } from '../../src/internals.js';

export interface FramerLimits {
  /** Largest metadata (bytes) of one message. */
  readonly maxMetadata: number;
  /** Largest body (bytes) of one message; read when a body is declared (it may depend on the schema). */
  maxBody(): number;
  /** Named in the refusal, e.g. "raise it with --max-message". */
  readonly hint: string;
}

export interface FramerState {
  /** Bytes consumed so far. */
  bytes: number;
  /** Messages fully framed (headers checked). */
  messages: number;
  /** The end-of-stream marker was read. */
  ended: boolean;
  /** Row width in bytes learned from the schema, for the body cap (0 until known). */
  schema: unknown;
}

const CONT = 0xffffffff;

function hex(b: Uint8Array): string {
  return Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** A file format where a stream was expected: named, with what to do instead. */
function sniffOtherFormat(first: Uint8Array, where: string): void {
  const text = Buffer.from(first.subarray(0, 8)).toString('latin1');
  const other = text.startsWith('ARROW1') ? 'an Arrow IPC file'
    : text.startsWith('\x93NUMPY') ? 'a .npy file'
      : text.startsWith('PAR1') ? 'a Parquet file' : null;
  if (other !== null) {
    throw new FormatError(`${where} holds ${other}, not an Arrow IPC stream: that format needs random access, so pass it as a file path; a stream input (stdin, a socket, a FIFO) takes an Arrow IPC stream`);
  }
}

/**
 * Checks the framing of `chunks` and yields them unchanged. `where` names the input in messages.
 * `onSchema` receives the decoded schema message (to size the body cap from the row width).
 */
export async function* frameArrowIpc(
  chunks: AsyncIterable<Uint8Array>, where: string, limits: FramerLimits, state: FramerState, onSchema?: (m: Message) => void,
): AsyncGenerator<Uint8Array> {
  // Parse state: 'prefix' (reading the 4 or 8 header bytes), 'meta' (L bytes), 'body' (n bytes).
  let phase: 'prefix' | 'meta' | 'body' | 'done' = 'prefix';
  let head = new Uint8Array(8), headLen = 0, headNeed = 4;
  let meta: Uint8Array = new Uint8Array(0), metaLen = 0;
  let bodyLeft = 0;
  let msgStart = 0;

  const fail = (what: string): never => { throw new FormatError(`${where}: ${what}`); };

  for await (const chunk of chunks) {
    if (state.bytes === 0) sniffOtherFormat(chunk, where);
    let i = 0;
    const n = chunk.byteLength;
    while (i < n) {
      const at = state.bytes + i;
      if (phase === 'done') {
        fail(`${n - i} more bytes follow the end-of-stream marker (at byte ${at}): a second stream, or data after the end, would be dropped; expected the input to end there`);
      }
      if (phase === 'prefix') {
        if (headLen === 0) msgStart = at;
        const take = Math.min(headNeed - headLen, n - i);
        head.set(chunk.subarray(i, i + take), headLen);
        headLen += take; i += take;
        if (headLen < headNeed) continue;
        const dv = new DataView(head.buffer, 0, headNeed);
        const first = dv.getUint32(0, true);
        if (headNeed === 4 && first === CONT) { headNeed = 8; continue; }
        const len = headNeed === 8 ? dv.getInt32(4, true) : dv.getInt32(0, true);
        const legacy = headNeed === 4;
        headLen = 0; headNeed = 4;
        if (len === 0) { phase = 'done'; state.ended = true; continue; }
        if (len < 0 || len > limits.maxMetadata) {
          if (state.messages === 0 && legacy) {
            fail(`not an Arrow IPC stream: expected a message header (0xFFFFFFFF and a metadata length) at byte 0, found ${hex(head.subarray(0, 4))}`);
          }
          fail(`message ${state.messages + 1} at byte ${msgStart} declares ${len >>> 0} bytes of metadata, more than the cap of ${limits.maxMetadata} bytes (${limits.hint})`);
        }
        metaLen = len;
        meta = new Uint8Array(len);
        headLen = 0;
        phase = 'meta';
        head = new Uint8Array(8);
        continue;
      }
      if (phase === 'meta') {
        const take = Math.min(metaLen - headLen, n - i);
        meta.set(chunk.subarray(i, i + take), headLen);
        headLen += take; i += take;
        if (headLen < metaLen) continue;
        headLen = 0;
        let msg: Message;
        try { msg = Message.decode(meta); } catch {
          fail(`message ${state.messages + 1} at byte ${msgStart} is not an Arrow IPC message (its ${metaLen} bytes of metadata do not decode)${state.messages === 0 ? ': not an Arrow IPC stream' : ''}`);
        }
        const type = msg!.headerType;
        if (state.messages === 0 && type !== MessageHeader.Schema) {
          fail(`not an Arrow IPC stream: its first message (at byte 0) is a ${MessageHeader[type] ?? type} message, expected the schema`);
        }
        // A later schema message is let through: the batches after it are refused by the layout
        // (arrow-layout.ts), which names the row and both types.
        if (type === MessageHeader.Schema && state.messages === 0) onSchema?.(msg!);
        const body = Number(msg!.bodyLength);
        if (!(body >= 0) || body > limits.maxBody()) {
          fail(`message ${state.messages + 1} at byte ${msgStart} declares a body of ${body} bytes, more than the cap of ${limits.maxBody()} bytes (${limits.hint})`);
        }
        state.messages++;
        meta = new Uint8Array(0);
        bodyLeft = body;
        phase = bodyLeft > 0 ? 'body' : 'prefix';
        continue;
      }
      // body
      const take = Math.min(bodyLeft, n - i);
      bodyLeft -= take; i += take;
      if (bodyLeft === 0) phase = 'prefix';
    }
    state.bytes += n;
    yield chunk;
  }
}
