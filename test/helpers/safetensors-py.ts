/**
 * safetensors written and read by hand in Python with numpy (no safetensors or torch package):
 * the independent side of the round-trip tests. `writeSafetensorsPy` builds matrices with a chosen
 * spectrum (sigma_j = j^-decay, Haar-like singular vectors from a seeded numpy Generator) and writes
 * them as F32, F16 or BF16 (bfloat16 = the float32 bits rounded to their upper half, by integer
 * arithmetic); `checkFactorsPy` reads a compressed file back and measures ||W - A B||_2 / sigma_{k+1}
 * with numpy's SVD.
 */
import { execFileSync } from 'node:child_process';

const COMMON = String.raw`
import sys, json, struct, numpy as np

def to_bf16_bits(a):
    b = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((b + 0x7fff + ((b >> 16) & 1)) >> 16).astype(np.uint16)

def from_bf16_bits(u):
    return (u.astype(np.uint32) << 16).view(np.float32)

def encode(a, dtype):
    if dtype == 'F32': return np.ascontiguousarray(a, dtype='<f4').tobytes()
    if dtype == 'F16': return np.ascontiguousarray(a, dtype='<f2').tobytes()
    if dtype == 'BF16': return to_bf16_bits(a).astype('<u2').tobytes()
    if dtype == 'I64': return np.ascontiguousarray(a, dtype='<i8').tobytes()
    raise ValueError(dtype)

def decode(raw, dtype, shape):
    if dtype == 'F32': return np.frombuffer(raw, dtype='<f4').reshape(shape).astype(np.float64)
    if dtype == 'F16': return np.frombuffer(raw, dtype='<f2').reshape(shape).astype(np.float64)
    if dtype == 'BF16': return from_bf16_bits(np.frombuffer(raw, dtype='<u2')).reshape(shape).astype(np.float64)
    if dtype == 'F64': return np.frombuffer(raw, dtype='<f8').reshape(shape)
    raise ValueError(dtype)

def read(path):
    with open(path, 'rb') as f: data = f.read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    meta = header.pop('__metadata__', {})
    out = {}
    for name, t in header.items():
        b, e = t['data_offsets']
        out[name] = (t['dtype'], t['shape'], data[base + b: base + e])
    return meta, out
`;

export interface PyTensor {
  name: string;
  dtype: 'F32' | 'F16' | 'BF16' | 'I64';
  shape: number[];
  /** sigma_j = j^-decay for matrices (2-D, or 4-D out x in x 1 x 1); vectors are N(0, 1). */
  decay?: number;
  seed: number;
}

/** Writes one safetensors file (tensors in the given order) by hand. */
export function writeSafetensorsPy(path: string, tensors: PyTensor[], metadata: Record<string, string> = {}): void {
  const script = `${COMMON}
spec = json.loads(sys.argv[2]); meta = json.loads(sys.argv[3])
header = {}
if meta: header['__metadata__'] = meta
blobs = []; off = 0
for t in spec:
    rng = np.random.default_rng(t['seed'])
    shape = t['shape']
    if t['dtype'] == 'I64':
        a = np.arange(int(np.prod(shape))).reshape(shape)
    elif len(shape) >= 2:
        m = shape[0]; n = int(np.prod(shape[1:])); p = min(m, n)
        u, _ = np.linalg.qr(rng.standard_normal((m, p)))
        v, _ = np.linalg.qr(rng.standard_normal((n, p)))
        s = np.arange(1, p + 1, dtype=np.float64) ** (-t.get('decay', 1.0))
        a = ((u * s) @ v.T).reshape(shape)
    else:
        a = rng.standard_normal(shape)
    raw = encode(a, t['dtype'])
    header[t['name']] = {'dtype': t['dtype'], 'shape': shape, 'data_offsets': [off, off + len(raw)]}
    blobs.append(raw); off += len(raw)
h = json.dumps(header).encode()
h += b' ' * ((8 - len(h) % 8) % 8)
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<Q', len(h))); f.write(h)
    for b in blobs: f.write(b)
`;
  execFileSync('python3', ['-c', script, path, JSON.stringify(tensors), JSON.stringify(metadata)], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
}

export interface PyCheck {
  metadata: Record<string, string>;
  /** dtype and shape of every output tensor. */
  tensors: Record<string, { dtype: string; shape: number[] }>;
  /** Per factored weight: numpy's ||W - A B||_2 / sigma_{k+1} and the rank. */
  factored: Record<string, { rank: number; normalized: number; sigmaNext: number }>;
  /** Names of tensors whose bytes equal the input's. */
  identical: string[];
}

/** Reads the original files and the compressed ones with numpy and measures every factor pair. */
export function checkFactorsPy(inputs: string[], outputs: string[]): PyCheck {
  const script = `${COMMON}
ins = json.loads(sys.argv[1]); outs = json.loads(sys.argv[2])
orig = {}
for p in ins: orig.update(read(p)[1])
meta = {}; res = {}
for p in outs:
    m, t = read(p); meta.update(m); res.update(t)
report = {'metadata': meta, 'tensors': {k: {'dtype': v[0], 'shape': v[1]} for k, v in res.items()}, 'factored': {}, 'identical': []}
for name, (dt, shape, raw) in res.items():
    if name in orig and orig[name][2] == raw: report['identical'].append(name)
for name, (dt, shape, raw) in orig.items():
    a_name = name + '.lowrank_A'
    if a_name not in res: continue
    W = decode(raw, dt, shape); m = shape[0]; W = W.reshape(m, -1)
    ad, ash, araw = res[a_name]; bd, bsh, braw = res[name + '.lowrank_B']
    A = decode(araw, ad, ash).reshape(m, -1); k = A.shape[1]
    B = decode(braw, bd, bsh).reshape(k, -1)
    s = np.linalg.svd(W, compute_uv=False)
    err = np.linalg.norm(W - A @ B, 2)
    report['factored'][name] = {'rank': int(k), 'normalized': float(err / s[k]), 'sigmaNext': float(s[k])}
print(json.dumps(report))
`;
  const out = execFileSync('python3', ['-c', script, JSON.stringify(inputs), JSON.stringify(outputs)], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' }, maxBuffer: 1 << 26,
  });
  return JSON.parse(out.toString()) as PyCheck;
}
