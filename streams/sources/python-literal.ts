/**
 * The subset of Python's `ast.literal_eval` that a `.npy` header can use, evaluated as Python
 * does: numpy reads the header with `ast.literal_eval` (numpy/lib/_format_impl.py), so a header is
 * read here exactly when numpy reads it, with the same values (a duplicated dict key: the last one
 * wins, as in any Python dict display), or refused. Where this parser is narrower than Python (a
 * few rare string escapes, triple-quoted strings), it refuses: a refusal is never a different
 * reading.
 *
 * Values: dict (string keys only: any other key makes numpy's key check fail anyway), tuple, list,
 * set, str, bytes, int (bigint), bool, None, float, complex, Ellipsis. Syntax: Python's
 * tokenizer rules for what it reaches (whitespace and newlines inside brackets, comments,
 * backslash continuations, implicit string concatenation, trailing commas, one unary sign on a
 * number, `set()`, a real +/- imaginary sum); blank and comment lines before the expression; an
 * indented first line is Python's IndentationError.
 *
 * `parsePythonLiteral(text, { dropLongSuffix })` throws `PythonLiteralError` (with a reason);
 * `dropLongSuffix` is numpy's `_filter_header` retry for Python 2 headers (`3L` read as 3).
 */
export type PyValue =
  | { kind: 'dict'; entries: Map<string, PyValue> }
  | { kind: 'tuple' | 'list' | 'set'; items: PyValue[] }
  | { kind: 'str'; value: string }
  | { kind: 'bytes'; value: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' | 'ellipsis' }
  | { kind: 'float'; value: number }
  | { kind: 'complex' };

export class PythonLiteralError extends Error {
  /** 'syntax' (Python's SyntaxError: numpy retries Python 2 headers) or 'value' (ValueError / TypeError). */
  readonly kind: 'syntax' | 'value';
  constructor(kind: 'syntax' | 'value', message: string) {
    super(message);
    this.kind = kind;
  }
}

type Tok =
  | { t: 'op'; v: string; at: number }
  | { t: 'num'; v: PyValue; at: number }
  | { t: 'str'; v: PyValue; at: number }
  | { t: 'name'; v: string; at: number }
  | { t: 'end'; at: number };

const syntax = (msg: string, at: number): PythonLiteralError => new PythonLiteralError('syntax', `${msg} at character ${at}`);
const value = (msg: string): PythonLiteralError => new PythonLiteralError('value', msg);

function isIdStart(c: string): boolean { return /[A-Za-z_]/.test(c); }
function isIdChar(c: string): boolean { return /[A-Za-z0-9_]/.test(c); }

function tokenize(src: string): Tok[] {
  if (src.includes('\0')) throw syntax('source code string cannot contain null bytes', src.indexOf('\0'));
  const toks: Tok[] = [];
  let i = 0, depth = 0;
  let lineStart = true; // at the start of a logical line, outside brackets
  let sawCode = false;
  // ast.literal_eval strips leading spaces and tabs of the whole string.
  while (i < src.length && (src[i] === ' ' || src[i] === '\t')) i++;
  let firstLine = true;
  while (i < src.length) {
    const c = src[i];
    if (lineStart && depth === 0) {
      // Indentation of a line outside brackets: blank or comment lines are ignored; an indented
      // first code line (after the first physical line) is Python's IndentationError.
      let j = i;
      while (j < src.length && (src[j] === ' ' || src[j] === '\t' || src[j] === '\f')) j++;
      const next = src[j];
      const blank = next === undefined || next === '\n' || next === '\r' || next === '#';
      if (!blank && !sawCode && j > i && !firstLine) {
        // A form feed alone is not indentation in Python's tokenizer.
        if (/[ \t]/.test(src.slice(i, j))) throw syntax('unexpected indent', i);
      }
      if (!blank && sawCode) throw syntax('invalid syntax (a second line of code)', j);
      i = j;
      lineStart = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f') { i++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++; continue; }
    if (c === '\\') {
      // Explicit line joining: a backslash must end the physical line.
      if (src[i + 1] === '\n') { i += 2; continue; }
      if (src[i + 1] === '\r') { i += src[i + 2] === '\n' ? 3 : 2; continue; }
      throw syntax('unexpected character after line continuation character', i);
    }
    if (c === '\n' || c === '\r') {
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      if (depth === 0) { lineStart = true; firstLine = false; }
      continue;
    }
    const at = i;
    sawCode = true;
    if ('([{'.includes(c)) { depth++; toks.push({ t: 'op', v: c, at }); i++; continue; }
    if (')]}'.includes(c)) { depth--; toks.push({ t: 'op', v: c, at }); i++; continue; }
    if (c === '.' && src.startsWith('...', i)) { toks.push({ t: 'name', v: '...', at }); i += 3; continue; }
    if (',:+-'.includes(c)) { toks.push({ t: 'op', v: c, at }); i++; continue; }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const { tok, end } = readNumber(src, i);
      toks.push(tok); i = end; continue;
    }
    if (isIdStart(c)) {
      let j = i;
      while (j < src.length && isIdChar(src[j])) j++;
      const word = src.slice(i, j);
      if ((src[j] === "'" || src[j] === '"') && /^(r|u|R|U|b|B|br|Br|bR|BR|rb|rB|Rb|RB|f|F|fr|rf|Fr|fR|FR|Rf|rF|RF)$/.test(word)) {
        const { tok, end } = readString(src, j, word.toLowerCase(), at);
        toks.push(tok); i = end; continue;
      }
      toks.push({ t: 'name', v: word, at }); i = j; continue;
    }
    if (c === "'" || c === '"') {
      const { tok, end } = readString(src, i, '', at);
      toks.push(tok); i = end; continue;
    }
    throw syntax(`invalid character ${JSON.stringify(c)}`, i);
  }
  if (depth !== 0) throw syntax('unexpected EOF (unclosed bracket)', src.length);
  toks.push({ t: 'end', at: src.length });
  return toks;
}

function readNumber(src: string, i: number): { tok: Tok; end: number } {
  const at = i;
  const rest = src.slice(i);
  let m = /^0[xX](?:_?[0-9a-fA-F])+/.exec(rest) ?? /^0[oO](?:_?[0-7])+/.exec(rest) ?? /^0[bB](?:_?[01])+/.exec(rest);
  if (m !== null) {
    const digits = m[0].replace(/_/g, '');
    return checkedEnd(src, i + m[0].length, { t: 'num', v: { kind: 'int', value: BigInt(digits.toLowerCase().replace(/^0o/, '0o')) }, at });
  }
  const dec = '[0-9](?:_?[0-9])*';
  m = new RegExp(`^(?:(?:${dec})?\\.${dec}|${dec}\\.?)(?:[eE][+-]?${dec})?[jJ]?`).exec(rest);
  if (m === null) throw syntax('invalid number', i);
  const text = m[0];
  const end = i + text.length;
  if (/[jJ]$/.test(text)) return checkedEnd(src, end, { t: 'num', v: { kind: 'complex' }, at });
  if (/[.eE]/.test(text)) return checkedEnd(src, end, { t: 'num', v: { kind: 'float', value: Number(text.replace(/_/g, '')) }, at });
  const digits = text.replace(/_/g, '');
  if (/^0+[1-9]/.test(digits)) throw syntax('leading zeros in decimal integer literals are not permitted', i);
  return checkedEnd(src, end, { t: 'num', v: { kind: 'int', value: BigInt(digits) }, at });
}

/** A number glued to a letter or digit (`1_`, `3L`, `0x1g`) is Python's "invalid literal". */
function checkedEnd(src: string, end: number, tok: Tok): { tok: Tok; end: number } {
  const next = src[end];
  if (next !== undefined && (isIdChar(next) || next === '.')) {
    // `3L` is kept as NUMBER NAME for the Python 2 retry (numpy's _filter_header); the rest are errors.
    if (next === 'L' && !isIdChar(src[end + 1] ?? '')) return { tok, end };
    throw syntax('invalid decimal literal', end);
  }
  return { tok, end };
}

function readString(src: string, i: number, prefix: string, at: number): { tok: Tok; end: number } {
  const q = src[i];
  if (src.startsWith(q.repeat(3), i)) throw value('triple-quoted strings are not supported in a .npy header');
  if (prefix.includes('f')) throw value('an f-string is not a literal');
  const raw = prefix.includes('r');
  const bytes = prefix.includes('b');
  let out = '';
  let j = i + 1;
  for (;;) {
    const c = src[j];
    if (c === undefined || c === '\n' || c === '\r') throw syntax('unterminated string literal', at);
    if (c === q) { j++; break; }
    if (bytes && c.charCodeAt(0) > 127) throw syntax('bytes can only contain ASCII literal characters', j);
    if (c !== '\\') { out += c; j++; continue; }
    const e = src[j + 1];
    if (e === undefined) throw syntax('unterminated string literal', at);
    if (raw) { out += c + e; j += 2; continue; }
    const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (e in simple) { out += simple[e]; j += 2; continue; }
    if (e === '\n') { j += 2; continue; }
    if (e === 'x') {
      const h = /^[0-9a-fA-F]{2}/.exec(src.slice(j + 2));
      if (h === null) throw syntax('truncated \\xXX escape', j);
      out += String.fromCharCode(parseInt(h[0], 16)); j += 4; continue;
    }
    if (/[0-7]/.test(e)) {
      const o = /^[0-7]{1,3}/.exec(src.slice(j + 1))![0];
      out += String.fromCharCode(parseInt(o, 8)); j += 1 + o.length; continue;
    }
    if (e === 'u' || e === 'U' || e === 'N') {
      if (bytes) { out += c + e; j += 2; continue; }
      throw value('\\u, \\U and \\N escapes are not supported in a .npy header');
    }
    // An unknown escape keeps its backslash (Python warns, and keeps both characters).
    out += c + e; j += 2;
  }
  return { tok: { t: 'str', v: bytes ? { kind: 'bytes', value: out } : { kind: 'str', value: out }, at }, end: j };
}

class Parser {
  private p = 0;
  constructor(private readonly toks: Tok[]) {}
  private peek(): Tok { return this.toks[this.p]; }
  private take(): Tok { return this.toks[this.p++]; }
  private isOp(v: string): boolean { const t = this.peek(); return t.t === 'op' && t.v === v; }
  private expect(v: string): void {
    const t = this.take();
    if (t.t !== 'op' || t.v !== v) throw syntax(`expected '${v}'`, t.at);
  }

  /** The whole input: one expression (a bare tuple `a, b` included), nothing after it. */
  top(): PyValue {
    const v = this.exprList('end');
    const t = this.peek();
    if (t.t !== 'end') throw syntax('invalid syntax', t.at);
    return v;
  }

  /** expr (, expr)* [,] up to `close`: a tuple when there is a comma. */
  private exprList(close: string): PyValue {
    const first = this.expr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.take();
      if (this.atClose(close)) break;
      items.push(this.expr());
    }
    return { kind: 'tuple', items };
  }

  private atClose(close: string): boolean {
    const t = this.peek();
    return close === 'end' ? t.t === 'end' : t.t === 'op' && t.v === close;
  }

  private expr(): PyValue {
    const t = this.peek();
    // A real number (optionally signed) + or - an imaginary one: complex (literal_eval's BinOp rule).
    const left = this.unary();
    if ((this.isOp('+') || this.isOp('-')) && (left.kind === 'int' || left.kind === 'float')) {
      const opTok = this.take();
      const right = this.unary();
      if (right.kind !== 'complex') throw value(`malformed node or string (a sum of non-complex numbers at character ${opTok.at})`);
      return { kind: 'complex' };
    }
    if ((this.isOp('+') || this.isOp('-'))) throw value(`malformed node or string at character ${t.at}`);
    return left;
  }

  private unary(): PyValue {
    if (this.isOp('+') || this.isOp('-')) {
      const sign = this.take() as { v: string; at: number };
      const t = this.peek();
      if (t.t !== 'num') {
        // Syntax (`- )`) is Python's SyntaxError; a sign on a non-number is literal_eval's ValueError.
        if (t.t === 'end' || (t.t === 'op' && ')]},:'.includes(t.v))) throw syntax('invalid syntax', t.at);
        this.atom();
        throw value(`malformed node or string: a sign on a non-number at character ${sign.at}`);
      }
      this.take();
      const v = t.v;
      if (sign.v === '-' && v.kind === 'int') return { kind: 'int', value: -v.value };
      if (sign.v === '-' && v.kind === 'float') return { kind: 'float', value: -v.value };
      return v;
    }
    return this.atom();
  }

  private atom(): PyValue {
    const t = this.take();
    if (t.t === 'num') return t.v;
    if (t.t === 'str') {
      // Implicit concatenation of adjacent literals (str with str, bytes with bytes).
      let v = t.v as { kind: 'str' | 'bytes'; value: string };
      while (this.peek().t === 'str') {
        const n = this.take() as { v: { kind: 'str' | 'bytes'; value: string }; at: number };
        if (n.v.kind !== v.kind) throw syntax('cannot mix bytes and nonbytes literals', n.at);
        v = { kind: v.kind, value: v.value + n.v.value };
      }
      return v;
    }
    if (t.t === 'name') {
      if (t.v === 'True' || t.v === 'False') return { kind: 'bool', value: t.v === 'True' };
      if (t.v === 'None') return { kind: 'none' };
      if (t.v === '...') return { kind: 'ellipsis' };
      if (t.v === 'set' && this.isOp('(')) {
        this.take();
        if (this.isOp(')')) { this.take(); return { kind: 'set', items: [] }; }
        throw value('malformed node or string: set() takes no arguments here');
      }
      throw value(`malformed node or string: the name ${t.v} at character ${t.at}`);
    }
    if (t.t === 'op' && t.v === '(') {
      if (this.isOp(')')) { this.take(); return { kind: 'tuple', items: [] }; }
      const v = this.exprList(')');
      this.expect(')');
      return v;
    }
    if (t.t === 'op' && t.v === '[') {
      const items: PyValue[] = [];
      while (!this.isOp(']')) {
        items.push(this.expr());
        if (!this.isOp(',')) break;
        this.take();
      }
      this.expect(']');
      return { kind: 'list', items };
    }
    if (t.t === 'op' && t.v === '{') return this.braces();
    throw syntax('invalid syntax', t.at);
  }

  private braces(): PyValue {
    if (this.isOp('}')) { this.take(); return { kind: 'dict', entries: new Map() }; }
    const first = this.expr();
    if (!this.isOp(':')) {
      const items = [first];
      while (this.isOp(',')) {
        this.take();
        if (this.isOp('}')) break;
        items.push(this.expr());
      }
      this.expect('}');
      for (const it of items) hashable(it);
      return { kind: 'set', items };
    }
    const pairs: [PyValue, PyValue][] = [];
    let key = first;
    for (;;) {
      this.expect(':');
      pairs.push([key, this.expr()]);
      if (!this.isOp(',')) break;
      this.take();
      if (this.isOp('}')) break;
      key = this.expr();
    }
    this.expect('}');
    const entries = new Map<string, PyValue>();
    let other = false;
    for (const [k, v] of pairs) {
      hashable(k);
      if (k.kind === 'str') { entries.delete(k.value); entries.set(k.value, v); } else other = true;
    }
    // A non-string key can never match numpy's three keys: record it as a key that does not.
    if (other) entries.set('\u0000(a key that is not a string)', { kind: 'none' });
    return { kind: 'dict', entries };
  }
}

function hashable(v: PyValue): void {
  if (v.kind === 'list' || v.kind === 'dict' || v.kind === 'set') throw value(`unhashable type: '${v.kind}'`);
  if (v.kind === 'tuple') v.items.forEach(hashable);
}

export function parsePythonLiteral(text: string, opts: { dropLongSuffix?: boolean } = {}): PyValue {
  let toks = tokenize(text);
  if (opts.dropLongSuffix === true) {
    toks = toks.filter((t, i) => !(t.t === 'name' && t.v === 'L' && toks[i - 1]?.t === 'num'));
  }
  return new Parser(toks).top();
}

/** Python's repr-like text of a value, for messages. */
export function pyRepr(v: PyValue): string {
  switch (v.kind) {
    case 'dict': return `{${[...v.entries].map(([k, x]) => `'${k}': ${pyRepr(x)}`).join(', ')}}`;
    case 'tuple': return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map(pyRepr).join(', ')})`;
    case 'list': return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'set': return v.items.length === 0 ? 'set()' : `{${v.items.map(pyRepr).join(', ')}}`;
    case 'str': return `'${v.value}'`;
    case 'bytes': return `b'${v.value}'`;
    case 'int': return v.value.toString();
    case 'bool': return v.value ? 'True' : 'False';
    case 'none': return 'None';
    case 'ellipsis': return 'Ellipsis';
    case 'float': return String(v.value);
    case 'complex': return '(complex)';
  }
}
