// WebAssembly SIMD GEMM kernels for rangefinder (AssemblyScript, compiled by scripts/build-wasm.mjs).
//
// C (m x n) += alpha * op(A) (m x K) * B (K x n), all addresses in BYTES into the shared memory.
//   op(A)[i, p] lives at a + i * ars + p * acs   (row-major A: ars = lda*es, acs = es; A^T: swapped)
//   B[p, j]     lives at b + (j / NR) * bps + p * brs + (j % NR) * es
//     packed panels (K x NR blocks): brs = NR*es, bps = K*NR*es; plain row-major B: brs = ldb*es, bps = NR*es
//   C[i, j]     lives at c + i * ldc + j * es
// `ws` is a per-thread workspace of `workspace_bytes()`: [0, 512 KiB) a KC x NC block of B, then a
// 4 x NR tile (partial last panel). flags bit 0 (PACK_B): copy each KC x NC block of B there in
// panel order first. Packing B That pays whenever B is not already packed: rows of a plain B are `ldb` apart, often a
// multiple of 4 KiB (n = 3072, 25088 in float64), so an unpacked KC x NR column strip maps to a few
// cache sets and thrashes (the co-range product G^T A was 0.22x numpy without this).
//
// Register tile: 4 rows of op(A) broadcast against 2 vectors of B = 8 vector accumulators
// (docs/KERNELS.md: more accumulators or an unrolled k loop made V8 spill). Blocking: KC along the
// contraction keeps a 4 x KC strip of A in L1; NC columns keep a KC x NC block of B in L2.
// Compiled twice: plain simd128, and simd128 + relaxed-simd (fused multiply-add).

@inline function splatLoad<T>(p: usize): v128 {
  if (sizeof<T>() == 8) return v128.load64_splat(p);
  return v128.load32_splat(p);
}

@inline function splatVal<T>(x: T): v128 {
  if (sizeof<T>() == 8) return f64x2.splat(<f64>x);
  return f32x4.splat(<f32>x);
}

@inline function vmul<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 8) return f64x2.mul(a, b);
  return f32x4.mul(a, b);
}

@inline function vadd<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 8) return f64x2.add(a, b);
  return f32x4.add(a, b);
}

// a * b + c, fused when relaxed SIMD is enabled (the engine may or may not fuse: within rounding).
@inline function fma<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (sizeof<T>() == 8) return f64x2.relaxed_madd(a, b, c);
    return f32x4.relaxed_madd(a, b, c);
  }
  if (sizeof<T>() == 8) return f64x2.add(f64x2.mul(a, b), c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function storeAdd<T>(pc: usize, acc0: v128, acc1: v128, va: v128): void {
  v128.store(pc, vadd<T>(v128.load(pc), vmul<T>(acc0, va)));
  v128.store(pc, vadd<T>(v128.load(pc, 16), vmul<T>(acc1, va)), 16);
}

// 4 x NR tile: C[0..4, 0..NR] += alpha * sum_p A[0..4, p] B[p, 0..NR].
@inline function micro4<T>(kc: i32, pa: usize, ars: usize, acs: usize, pb: usize, brs: usize, pc: usize, ldc: usize, alpha: T): void {
  const z = f64x2.splat(0.0);
  let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  const a1 = ars, a2 = ars << 1, a3 = ars * 3;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = splatLoad<T>(pa);
    c00 = fma<T>(x, b0, c00); c01 = fma<T>(x, b1, c01);
    x = splatLoad<T>(pa + a1);
    c10 = fma<T>(x, b0, c10); c11 = fma<T>(x, b1, c11);
    x = splatLoad<T>(pa + a2);
    c20 = fma<T>(x, b0, c20); c21 = fma<T>(x, b1, c21);
    x = splatLoad<T>(pa + a3);
    c30 = fma<T>(x, b0, c30); c31 = fma<T>(x, b1, c31);
    pa += acs; pb += brs;
  }
  const va = splatVal<T>(alpha);
  storeAdd<T>(pc, c00, c01, va); pc += ldc;
  storeAdd<T>(pc, c10, c11, va); pc += ldc;
  storeAdd<T>(pc, c20, c21, va); pc += ldc;
  storeAdd<T>(pc, c30, c31, va);
}

// 1 x NR tile (row remainder).
@inline function micro1<T>(kc: i32, pa: usize, acs: usize, pb: usize, brs: usize, pc: usize, alpha: T): void {
  const z = f64x2.splat(0.0);
  let c00 = z, c01 = z;
  for (let p = 0; p < kc; p++) {
    const x = splatLoad<T>(pa);
    c00 = fma<T>(x, v128.load(pb), c00); c01 = fma<T>(x, v128.load(pb, 16), c01);
    pa += acs; pb += brs;
  }
  storeAdd<T>(pc, c00, c01, splatVal<T>(alpha));
}

// Copy panels [0, np) x rows [0, kc) of B (any layout) into dst in panel order (kc x NR blocks).
@inline function packBlock<T>(kc: i32, np: i32, b: usize, brs: usize, bps: usize, dst: usize): void {
  for (let jp = 0; jp < np; jp++) {
    let src = b + <usize>jp * bps;
    for (let p = 0; p < kc; p++) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      src += brs; dst += 32;
    }
  }
}

// Blocking, tuned on the 2-vCPU Zen 4 VM (bench/out/tmp tuning runs, best of 5 under load):
// KC = 512 float64 / 1024 float32 beat 256 / 512 by 5 to 20% (most at k = 16); NC = 64 or 256 columns
// did not beat 128. Packing 4-row strips of A (one contiguous stream) was tried and lost 5 to 15%.
const KC_BYTES: i32 = 4096;  // a 4 x KC strip of A is 16 KiB (L1 is 32 KiB)
const NC_COLS: i32 = 128;    // a KC x NC block of B is 512 KiB (L2 is 1 MiB)
const PACK_B: i32 = 1;
const WS_TILE: usize = <usize>KC_BYTES * <usize>NC_COLS;
const WS_BYTES: usize = WS_TILE + 256;

/** Bytes of the per-thread workspace `ws`. */
export function workspace_bytes(): i32 {
  return <i32>WS_BYTES;
}

@inline function gemmT<T>(
  m: i32, n: i32, K: i32, alpha: T,
  a: usize, ars: usize, acs: usize, b: usize, brs: usize, bps: usize,
  c: usize, ldc: usize, ws: usize, flags: i32,
): void {
  const es = <usize>sizeof<T>();
  const NR = <i32>(32 / sizeof<T>());          // 4 float64 / 8 float32: two vectors
  const KC = KC_BYTES / <i32>sizeof<T>();
  const NCP = NC_COLS / NR;
  const pk = (flags & PACK_B) != 0 ? ws : 0;
  const tmp = ws + WS_TILE;
  const nfull = n / NR;
  const rem = n - nfull * NR;
  const tileBytes = <usize>NR * es;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const aK = a + <usize>k0 * acs;
    const bK = b + <usize>k0 * brs;
    for (let j0 = 0; j0 < nfull; j0 += NCP) {
      const j1 = min(j0 + NCP, nfull);
      let bb = bK + <usize>j0 * bps, sr = brs, sp = bps;
      if (pk != 0) {
        packBlock<T>(kc, j1 - j0, bb, brs, bps, pk);
        bb = pk; sr = 32; sp = <usize>kc * 32;
      }
      const pcJ = c + <usize>j0 * tileBytes;
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const pa = aK + <usize>i * ars;
        const pc = pcJ + <usize>i * ldc;
        for (let jp = 0; jp < j1 - j0; jp++) {
          micro4<T>(kc, pa, ars, acs, bb + <usize>jp * sp, sr, pc + <usize>jp * tileBytes, ldc, alpha);
        }
      }
      for (; i < m; i++) {
        const pa = aK + <usize>i * ars;
        const pc = pcJ + <usize>i * ldc;
        for (let jp = 0; jp < j1 - j0; jp++) {
          micro1<T>(kc, pa, acs, bb + <usize>jp * sp, sr, pc + <usize>jp * tileBytes, alpha);
        }
      }
    }
    if (rem > 0) {
      // Partial last panel: compute full-width tiles into tmp, add the valid columns to C.
      // B's padding columns are read (panels are padded; plain B reads past column n only within
      // the row stride or the caller's allocation: the dispatcher guarantees it is readable).
      const pb = bK + <usize>nfull * bps;
      const pc0 = c + <usize>nfull * tileBytes;
      let i = 0;
      for (; i < m; i += 4) {
        const rows = min(4, m - i);
        for (let t: usize = 0; t < 4 * <usize>NR; t++) store<T>(tmp + t * es, <T>0);
        if (rows == 4) micro4<T>(kc, aK + <usize>i * ars, ars, acs, pb, brs, tmp, tileBytes, <T>1);
        else for (let r = 0; r < rows; r++) micro1<T>(kc, aK + <usize>(i + r) * ars, acs, pb, brs, tmp + <usize>r * tileBytes, <T>1);
        for (let r = 0; r < rows; r++) {
          const pc = pc0 + <usize>(i + r) * ldc;
          for (let j = 0; j < rem; j++) {
            const q = pc + <usize>j * es;
            store<T>(q, load<T>(q) + alpha * load<T>(tmp + <usize>r * tileBytes + <usize>j * es));
          }
        }
      }
    }
  }
}

export function gemm_f64(
  m: i32, n: i32, K: i32, alpha: f64,
  a: usize, ars: usize, acs: usize, b: usize, brs: usize, bps: usize,
  c: usize, ldc: usize, ws: usize, flags: i32,
): void {
  gemmT<f64>(m, n, K, alpha, a, ars, acs, b, brs, bps, c, ldc, ws, flags);
}

export function gemm_f32(
  m: i32, n: i32, K: i32, alpha: f64,
  a: usize, ars: usize, acs: usize, b: usize, brs: usize, bps: usize,
  c: usize, ldc: usize, ws: usize, flags: i32,
): void {
  gemmT<f32>(m, n, K, <f32>alpha, a, ars, acs, b, brs, bps, c, ldc, ws, flags);
}

// ---------------------------------------------------------------------------------------------
// Sparse row combinations: the sparse-sign maps of the sketches applied sparsely (docs/METHODS.md §3:
// zeta nonzeros per column cost zeta instead of k per input entry), and the layout kernels of the
// resident chunk path (src/sketch/absorb-resident.ts).
//
// out[c, 0:w] (+)= sum over p in [ptr[c], ptr[c+1]) of val[p] * B[idx[p], 0:w]   for c < nOut
// ptr, idx: int32; val: T; rows of out and B are ldo and ldb BYTES apart. overwrite != 0 starts
// from zero instead of out. The output row is register-blocked in strips of 4 vectors (16 float32,
// 8 float64) kept in registers over the whole list, then single vectors, then scalars. (Measured at
// the sketch shapes: strips of 8 vectors, or strip-major order, were not faster.)
@inline function sparseRowsT<T>(
  nOut: i32, w: i32, out: usize, ldo: usize, ptr: usize, idx: usize, val: usize, b: usize, ldb: usize, overwrite: i32,
): void {
  const es = <usize>sizeof<T>();
  const VL = <i32>(16 / sizeof<T>());
  const SW = 4 * VL;
  const z = f64x2.splat(0.0);
  for (let c = 0; c < nOut; c++) {
    const p0 = load<i32>(ptr + (<usize>c << 2)), p1 = load<i32>(ptr + (<usize>c << 2), 4);
    const oc = out + <usize>c * ldo;
    let j = 0;
    for (; j + SW <= w; j += SW) {
      const po = oc + <usize>j * es, bj = b + <usize>j * es;
      let a0 = z, a1 = z, a2 = z, a3 = z;
      if (overwrite == 0) { a0 = v128.load(po); a1 = v128.load(po, 16); a2 = v128.load(po, 32); a3 = v128.load(po, 48); }
      for (let p = p0; p < p1; p++) {
        const pb = bj + <usize>load<i32>(idx + (<usize>p << 2)) * ldb;
        const v = splatLoad<T>(val + <usize>p * es);
        a0 = fma<T>(v, v128.load(pb), a0); a1 = fma<T>(v, v128.load(pb, 16), a1);
        a2 = fma<T>(v, v128.load(pb, 32), a2); a3 = fma<T>(v, v128.load(pb, 48), a3);
      }
      v128.store(po, a0); v128.store(po, a1, 16); v128.store(po, a2, 32); v128.store(po, a3, 48);
    }
    for (; j + VL <= w; j += VL) {
      const po = oc + <usize>j * es, bj = b + <usize>j * es;
      let a0 = overwrite == 0 ? v128.load(po) : z;
      for (let p = p0; p < p1; p++) {
        const pb = bj + <usize>load<i32>(idx + (<usize>p << 2)) * ldb;
        a0 = fma<T>(splatLoad<T>(val + <usize>p * es), v128.load(pb), a0);
      }
      v128.store(po, a0);
    }
    for (; j < w; j++) {
      const po = oc + <usize>j * es, bj = b + <usize>j * es;
      let acc: T = overwrite == 0 ? load<T>(po) : <T>0;
      for (let p = p0; p < p1; p++) {
        acc += load<T>(val + <usize>p * es) * load<T>(bj + <usize>load<i32>(idx + (<usize>p << 2)) * ldb);
      }
      store<T>(po, acc);
    }
  }
}

export function sparse_rows_f32(
  nOut: i32, w: i32, out: usize, ldo: usize, ptr: usize, idx: usize, val: usize, b: usize, ldb: usize, overwrite: i32,
): void {
  sparseRowsT<f32>(nOut, w, out, ldo, ptr, idx, val, b, ldb, overwrite);
}

export function sparse_rows_f64(
  nOut: i32, w: i32, out: usize, ldo: usize, ptr: usize, idx: usize, val: usize, b: usize, ldb: usize, overwrite: i32,
): void {
  sparseRowsT<f64>(nOut, w, out, ldo, ptr, idx, val, b, ldb, overwrite);
}


// dst[j, i] = src[i, j] for a (rows x cols) block; row strides in bytes. 16 x 16 tiles keep
// both the reads and the scattered writes within a few cache lines.
@inline function transposeT<T>(rows: i32, cols: i32, src: usize, lds: usize, dst: usize, ldd: usize): void {
  const es = <usize>sizeof<T>();
  for (let i0 = 0; i0 < rows; i0 += 16) {
    const i1 = min(rows, i0 + 16);
    for (let j0 = 0; j0 < cols; j0 += 16) {
      const j1 = min(cols, j0 + 16);
      for (let i = i0; i < i1; i++) {
        const s = src + <usize>i * lds, d = dst + <usize>i * es;
        for (let j = j0; j < j1; j++) store<T>(d + <usize>j * ldd, load<T>(s + <usize>j * es));
      }
    }
  }
}

// float32: 4 x 4 blocks transposed in registers (two rounds of shuffles), 16 x 16 tiles of them;
// the edges (rows or columns past a multiple of 4) by the scalar loop.
export function transpose_f32(rows: i32, cols: i32, src: usize, lds: usize, dst: usize, ldd: usize): void {
  const r4 = rows & ~3, c4 = cols & ~3;
  for (let i0 = 0; i0 < r4; i0 += 16) {
    const i1 = min(r4, i0 + 16);
    for (let j0 = 0; j0 < c4; j0 += 16) {
      const j1 = min(c4, j0 + 16);
      for (let i = i0; i < i1; i += 4) {
        const s = src + <usize>i * lds, d = dst + (<usize>i << 2);
        for (let j = j0; j < j1; j += 4) {
          const sj = s + (<usize>j << 2);
          const x0 = v128.load(sj), x1 = v128.load(sj + lds), x2 = v128.load(sj + 2 * lds), x3 = v128.load(sj + 3 * lds);
          const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7);
          const t2 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7);
          const dj = d + <usize>j * ldd;
          v128.store(dj, v128.shuffle<i64>(t0, t2, 0, 2));
          v128.store(dj + ldd, v128.shuffle<i64>(t0, t2, 1, 3));
          v128.store(dj + 2 * ldd, v128.shuffle<i64>(t1, t3, 0, 2));
          v128.store(dj + 3 * ldd, v128.shuffle<i64>(t1, t3, 1, 3));
        }
      }
    }
  }
  if (c4 < cols) transposeT<f32>(rows, cols - c4, src + (<usize>c4 << 2), lds, dst + <usize>c4 * ldd, ldd);
  if (r4 < rows) transposeT<f32>(rows - r4, c4, src + <usize>r4 * lds, lds, dst + (<usize>r4 << 2), ldd);
}

export function transpose_f64(rows: i32, cols: i32, src: usize, lds: usize, dst: usize, ldd: usize): void {
  transposeT<f64>(rows, cols, src, lds, dst, ldd);
}

// max |x| over the n float32 values at src; NaN if any is NaN, Infinity if any is infinite (and
// none NaN): one pass tells both whether a block is finite and how large it is.
export function absmax_f32(n: i32, src: usize): f64 {
  // Four independent accumulators: f32x4.max (NaN-propagating) is several instructions with a
  // multi-cycle latency on x86, so one chain ran at a quarter of the memory's pace.
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = src + (<usize>i << 2);
    a0 = f32x4.max(a0, f32x4.abs(v128.load(o)));
    a1 = f32x4.max(a1, f32x4.abs(v128.load(o, 16)));
    a2 = f32x4.max(a2, f32x4.abs(v128.load(o, 32)));
    a3 = f32x4.max(a3, f32x4.abs(v128.load(o, 48)));
  }
  for (; i + 4 <= n; i += 4) a0 = f32x4.max(a0, f32x4.abs(v128.load(src + (<usize>i << 2))));
  const acc = f32x4.max(f32x4.max(a0, a1), f32x4.max(a2, a3));
  let m: f32 = max(max(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), max(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  for (; i < n; i++) m = max(m, abs(load<f32>(src + (<usize>i << 2))));
  return <f64>m;
}

// max |x| over the n float64 values at src (the float64 twin of absmax_f32).
export function absmax_f64(n: i32, src: usize): f64 {
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = src + (<usize>i << 3);
    a0 = f64x2.max(a0, f64x2.abs(v128.load(o)));
    a1 = f64x2.max(a1, f64x2.abs(v128.load(o, 16)));
    a2 = f64x2.max(a2, f64x2.abs(v128.load(o, 32)));
    a3 = f64x2.max(a3, f64x2.abs(v128.load(o, 48)));
  }
  for (; i + 2 <= n; i += 2) a0 = f64x2.max(a0, f64x2.abs(v128.load(src + (<usize>i << 3))));
  a0 = f64x2.max(f64x2.max(a0, a1), f64x2.max(a2, a3));
  let m: f64 = max(f64x2.extract_lane(a0, 0), f64x2.extract_lane(a0, 1));
  for (; i < n; i++) m = max(m, abs(load<f64>(src + (<usize>i << 3))));
  return m;
}

// dst[i, j] (float64, row stride ldd bytes) = src at src + i * rs + j * cs (float32, byte strides):
// a widening copy that may also transpose.
export function widen_f32(rows: i32, cols: i32, src: usize, rs: usize, cs: usize, dst: usize, ldd: usize): void {
  if (cs == 4) {
    // Contiguous rows: four values per step, promoted two by two.
    for (let i = 0; i < rows; i++) {
      const s = src + <usize>i * rs, d = dst + <usize>i * ldd;
      let j = 0;
      for (; j + 4 <= cols; j += 4) {
        const v = v128.load(s + (<usize>j << 2));
        v128.store(d + (<usize>j << 3), f64x2.promote_low_f32x4(v));
        v128.store(d + (<usize>j << 3), f64x2.promote_low_f32x4(v128.shuffle<u32>(v, v, 2, 3, 0, 1)), 16);
      }
      for (; j < cols; j++) store<f64>(d + (<usize>j << 3), <f64>load<f32>(s + (<usize>j << 2)));
    }
    return;
  }
  for (let i = 0; i < rows; i++) {
    let s = src + <usize>i * rs;
    const d = dst + <usize>i * ldd;
    for (let j = 0; j < cols; j++) { store<f64>(d + (<usize>j << 3), <f64>load<f32>(s)); s += cs; }
  }
}

// Sum of squares of n float32 values into acc[1] (float64): a float32 squared is within float64's
// range (3.4e38^2 = 1.2e77, 1.4e-45^2 = 2e-90), so no scaling is needed. NaN or Inf make it non-finite.
export function sumsq_f32(n: i32, src: usize, acc: usize): void {
  let s0 = f64x2.splat(0), s1 = s0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(src + (<usize>i << 2));
    const lo = f64x2.promote_low_f32x4(v), hi = f64x2.promote_low_f32x4(v128.shuffle<u32>(v, v, 2, 3, 0, 1));
    s0 = fma<f64>(lo, lo, s0);
    s1 = fma<f64>(hi, hi, s1);
  }
  s0 = f64x2.add(s0, s1);
  let s: f64 = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
  for (; i < n; i++) { const x = <f64>load<f32>(src + (<usize>i << 2)); s += x * x; }
  store<f64>(acc, load<f64>(acc, 8) + s, 8);
}

// Blue's scaled sum of squares of n float64 values [Blue 1978; LAPACK 3.10 dnrm2, Anderson 2017]:
// |x| < 2^-511 adds (x 2^537)^2 to acc[0], |x| > 2^486 adds (x 2^-538)^2 to acc[2], the rest x^2 to
// acc[1]; no accumulator overflows or underflows for any finite input (1e300 or 1e-300 included),
// and a NaN or an infinity makes the sum non-finite. Combined by `sumSquaresNorm` (src/kernels/ops.ts).
export function sumsq_f64(n: i32, src: usize, acc: usize): void {
  const tsml = f64x2.splat(1.4916681462400413e-154), tbig = f64x2.splat(1.9979190722022350e146);
  const ssml = f64x2.splat(4.4989137945431964e161), sbig = f64x2.splat(1.1113793747425387e-162);
  const zero = f64x2.splat(0);
  let as = zero, am = zero, ab = zero;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const x = v128.load(src + (<usize>i << 3)), ax = f64x2.abs(x);
    const big = f64x2.gt(ax, tbig), small = f64x2.lt(ax, tsml);
    const mid = v128.not(v128.or(big, small));
    const xs = f64x2.mul(x, ssml), xb = f64x2.mul(x, sbig);
    as = f64x2.add(as, v128.and(f64x2.mul(xs, xs), small));
    am = f64x2.add(am, v128.and(f64x2.mul(x, x), mid));
    ab = f64x2.add(ab, v128.and(f64x2.mul(xb, xb), big));
  }
  let s0: f64 = f64x2.extract_lane(as, 0) + f64x2.extract_lane(as, 1);
  let s1: f64 = f64x2.extract_lane(am, 0) + f64x2.extract_lane(am, 1);
  let s2: f64 = f64x2.extract_lane(ab, 0) + f64x2.extract_lane(ab, 1);
  for (; i < n; i++) {
    const x = load<f64>(src + (<usize>i << 3)), ax = Math.abs(x);
    if (ax > 1.9979190722022350e146) { const y = x * 1.1113793747425387e-162; s2 += y * y; }
    else if (ax < 1.4916681462400413e-154) { const y = x * 4.4989137945431964e161; s0 += y * y; }
    else s1 += x * x;
  }
  store<f64>(acc, load<f64>(acc) + s0);
  store<f64>(acc, load<f64>(acc, 8) + s1, 8);
  store<f64>(acc, load<f64>(acc, 16) + s2, 16);
}

// dst[0:n] (float32) = src[0:n] (float64), rounded.
export function narrow_f64(n: i32, src: usize, dst: usize): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(src + (<usize>i << 3)));
}

@inline function dotF64(x: usize, y: usize, h: i32): f64 {
  let d0 = f64x2.splat(0.0), d1 = d0, d2 = d0, d3 = d0;
  let i = 0;
  for (; i + 8 <= h; i += 8) {
    const o = <usize>i << 3;
    d0 = fma<f64>(v128.load(x + o), v128.load(y + o), d0);
    d1 = fma<f64>(v128.load(x + o, 16), v128.load(y + o, 16), d1);
    d2 = fma<f64>(v128.load(x + o, 32), v128.load(y + o, 32), d2);
    d3 = fma<f64>(v128.load(x + o, 48), v128.load(y + o, 48), d3);
  }
  for (; i + 2 <= h; i += 2) d0 = fma<f64>(v128.load(x + (<usize>i << 3)), v128.load(y + (<usize>i << 3)), d0);
  d0 = f64x2.add(f64x2.add(d0, d1), f64x2.add(d2, d3));
  let dot = f64x2.extract_lane(d0, 0) + f64x2.extract_lane(d0, 1);
  for (; i < h; i++) dot += load<f64>(x + (<usize>i << 3)) * load<f64>(y + (<usize>i << 3));
  return dot;
}

// The whole TSQR step on [R; W] (k columns, h rows of W), in panels of 4 reflectors: each panel is
// factored on its own columns (reflectRange), then applied to the trailing columns at once
// (apply4), which reads the 4 reflector rows once per column instead of 4 times.
export function tsqr_factor_f64(rd: usize, w: usize, k: i32, h: i32, taus: usize): void {
  for (let j0 = 0; j0 < k; j0 += 4) {
    if (j0 + 4 > k) { reflectRange(rd, w, k, h, j0, k, k, taus); break; }
    reflectRange(rd, w, k, h, j0, j0 + 4, j0 + 4, taus);
    if (j0 + 4 < k) apply4(rd, w, k, h, j0, j0 + 4, k, taus);
  }
}

// Reflectors j .. j+3 (vectors v_i = [e_{j+i}; W^T row j+i], taus at taus[j..]) applied in turn to
// columns c0 .. c1-1. With the Gram entries G_il = v_i . v_l (W parts only: the R parts are
// distinct unit vectors) and d_i = W^T row (j+i) . w_c of the column before the panel,
// g_i = tau_i (R[j+i, c] + d_i - sum_{l<i} g_l G_li), then R[j+i, c] -= g_i, w_c -= sum_i g_i v_i.
// The update of column c and the dot products of column c+1 share one pass (7 memory operations
// per 8 multiply-adds).
@inline function apply4(rd: usize, w: usize, k: i32, h: i32, j: i32, c0: i32, c1: i32, taus: usize): void {
  const hb = <usize>h << 3, h2 = h & ~1;
  const w0 = w + <usize>j * hb, w1 = w0 + hb, w2 = w1 + hb, w3 = w2 + hb;
  const tj = taus + (<usize>j << 3);
  const t0 = load<f64>(tj), t1 = load<f64>(tj, 8), t2 = load<f64>(tj, 16), t3 = load<f64>(tj, 24);
  const g01 = dotF64(w0, w1, h), g02 = dotF64(w0, w2, h), g03 = dotF64(w0, w3, h);
  const g12 = dotF64(w1, w2, h), g13 = dotF64(w1, w3, h), g23 = dotF64(w2, w3, h);
  const rs = <usize>k << 3;
  const r0 = rd + <usize>j * rs, r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
  const wf = w + <usize>c0 * hb;
  let d0 = dotF64(w0, wf, h), d1 = dotF64(w1, wf, h), d2 = dotF64(w2, wf, h), d3 = dotF64(w3, wf, h);
  for (let c = c0; c < c1; c++) {
    const wc = w + <usize>c * hb, co = <usize>c << 3;
    const q0 = t0 * (load<f64>(r0 + co) + d0);
    const q1 = t1 * (load<f64>(r1 + co) + d1 - q0 * g01);
    const q2 = t2 * (load<f64>(r2 + co) + d2 - q0 * g02 - q1 * g12);
    const q3 = t3 * (load<f64>(r3 + co) + d3 - q0 * g03 - q1 * g13 - q2 * g23);
    store<f64>(r0 + co, load<f64>(r0 + co) - q0); store<f64>(r1 + co, load<f64>(r1 + co) - q1);
    store<f64>(r2 + co, load<f64>(r2 + co) - q2); store<f64>(r3 + co, load<f64>(r3 + co) - q3);
    const v0 = f64x2.splat(-q0), v1 = f64x2.splat(-q1), v2 = f64x2.splat(-q2), v3 = f64x2.splat(-q3);
    const more = c + 1 < c1;
    const wn = more ? wc + hb : wc;
    let e0 = f64x2.splat(0.0), e1 = e0, e2 = e0, e3 = e0;
    for (let i = 0; i < h2; i += 2) {
      const o = <usize>i << 3;
      const x0 = v128.load(w0 + o), x1 = v128.load(w1 + o), x2 = v128.load(w2 + o), x3 = v128.load(w3 + o);
      let y = v128.load(wc + o);
      y = fma<f64>(v0, x0, y); y = fma<f64>(v1, x1, y); y = fma<f64>(v2, x2, y); y = fma<f64>(v3, x3, y);
      v128.store(wc + o, y);
      const z = v128.load(wn + o);
      e0 = fma<f64>(x0, z, e0); e1 = fma<f64>(x1, z, e1); e2 = fma<f64>(x2, z, e2); e3 = fma<f64>(x3, z, e3);
    }
    d0 = f64x2.extract_lane(e0, 0) + f64x2.extract_lane(e0, 1);
    d1 = f64x2.extract_lane(e1, 0) + f64x2.extract_lane(e1, 1);
    d2 = f64x2.extract_lane(e2, 0) + f64x2.extract_lane(e2, 1);
    d3 = f64x2.extract_lane(e3, 0) + f64x2.extract_lane(e3, 1);
    if (h2 < h) {
      const o = <usize>h2 << 3;
      const x0 = load<f64>(w0 + o), x1 = load<f64>(w1 + o), x2 = load<f64>(w2 + o), x3 = load<f64>(w3 + o);
      store<f64>(wc + o, load<f64>(wc + o) - q0 * x0 - q1 * x1 - q2 * x2 - q3 * x3);
      const z = load<f64>(wn + o);
      d0 += x0 * z; d1 += x1 * z; d2 += x2 * z; d3 += x3 * z;
    }
  }
}

// Structured Householder reflectors j in [j0, j1) of the TSQR step on [R; W] (src/linalg/tsqr.ts
// `reflect`, same arithmetic in float64 SIMD): R (k x k, row-major) at rd; W^T (k x h, row j is
// column j of the block) at w; reflector j acts on R[j, :] and row j of W^T, and is applied to the
// columns j+1 .. cEnd-1; its tau goes to taus[j] (0: nothing to do) [GVL13 §5.2.2 structured].
const TINY_SCALE: f64 = 9.332636185032189e-302; // 2^-1000
const BOOST: f64 = 4.149515568880993e+180; // 2^600

function reflectRange(rd: usize, w: usize, k: i32, h: i32, j0: i32, j1: i32, cEnd: i32, taus: usize): void {
  const hb = <usize>h << 3, h2 = h & ~1;
  for (let j = j0; j < j1; j++) {
    const wj = w + <usize>j * hb;
    const rj = rd + (<usize>j * <usize>k << 3);
    let vm = f64x2.splat(0.0);
    for (let i = 0; i < h2; i += 2) vm = f64x2.max(vm, f64x2.abs(v128.load(wj + (<usize>i << 3))));
    let scale = max(f64x2.extract_lane(vm, 0), f64x2.extract_lane(vm, 1));
    if (h2 < h) scale = max(scale, abs(load<f64>(wj + (<usize>h2 << 3))));
    if (scale == 0) { store<f64>(taus + (<usize>j << 3), 0); continue; }
    // A subnormal column (cancellation leaves them) must not form 1 / scale, which overflows: its
    // values are first multiplied by 2^600 (exact), as src/linalg/safe-scale.ts does.
    const boost: f64 = scale < TINY_SCALE ? BOOST : 1.0, vboost = f64x2.splat(boost);
    const inv = 1 / (scale * boost), vinv = f64x2.splat(inv);
    let vs = f64x2.splat(0.0);
    for (let i = 0; i < h2; i += 2) { const v = f64x2.mul(f64x2.mul(v128.load(wj + (<usize>i << 3)), vboost), vinv); vs = fma<f64>(v, v, vs); }
    let ss = f64x2.extract_lane(vs, 0) + f64x2.extract_lane(vs, 1);
    if (h2 < h) { const v = (load<f64>(wj + (<usize>h2 << 3)) * boost) * inv; ss += v * v; }
    const alpha = load<f64>(rj + (<usize>j << 3));
    const norm = Math.hypot(alpha, scale * Math.sqrt(ss));
    const beta = alpha >= 0 ? -norm : norm;
    const tau = (beta - alpha) / beta;
    const den = alpha - beta, f = 1 / den;
    if (isFinite<f64>(f)) {
      const vf = f64x2.splat(f);
      for (let i = 0; i < h2; i += 2) v128.store(wj + (<usize>i << 3), f64x2.mul(v128.load(wj + (<usize>i << 3)), vf));
      if (h2 < h) store<f64>(wj + (<usize>h2 << 3), load<f64>(wj + (<usize>h2 << 3)) * f);
    } else {
      const vd = f64x2.splat(den);
      for (let i = 0; i < h2; i += 2) v128.store(wj + (<usize>i << 3), f64x2.div(v128.load(wj + (<usize>i << 3)), vd));
      if (h2 < h) store<f64>(wj + (<usize>h2 << 3), load<f64>(wj + (<usize>h2 << 3)) / den);
    }
    store<f64>(rj + (<usize>j << 3), beta);
    // Column c is updated (w_c -= g_c w_j) in the same pass that forms the dot product w_j . w_{c+1}
    // for the next column: 3 loads and 1 store per 2 multiply-adds instead of 4 and 1.
    let dot = j + 1 < cEnd ? dotF64(wj, w + <usize>(j + 1) * hb, h) : 0;
    for (let c = j + 1; c < cEnd; c++) {
      const wc = w + <usize>c * hb;
      const g = tau * (load<f64>(rj + (<usize>c << 3)) + dot);
      store<f64>(rj + (<usize>c << 3), load<f64>(rj + (<usize>c << 3)) - g);
      const vg = f64x2.splat(-g);
      if (c + 1 < cEnd) {
        const wn = wc + hb;
        let d0 = f64x2.splat(0.0), d1 = d0;
        let i = 0;
        for (; i + 4 <= h; i += 4) {
          const o = <usize>i << 3;
          const x0 = v128.load(wj + o), x1 = v128.load(wj + o, 16);
          v128.store(wc + o, fma<f64>(vg, x0, v128.load(wc + o)));
          v128.store(wc + o, fma<f64>(vg, x1, v128.load(wc + o, 16)), 16);
          d0 = fma<f64>(x0, v128.load(wn + o), d0);
          d1 = fma<f64>(x1, v128.load(wn + o, 16), d1);
        }
        d0 = f64x2.add(d0, d1);
        dot = f64x2.extract_lane(d0, 0) + f64x2.extract_lane(d0, 1);
        for (; i < h; i++) {
          const o = <usize>i << 3, x = load<f64>(wj + o);
          store<f64>(wc + o, load<f64>(wc + o) - g * x);
          dot += x * load<f64>(wn + o);
        }
      } else {
        let i = 0;
        for (; i + 2 <= h; i += 2) {
          const o = <usize>i << 3;
          v128.store(wc + o, fma<f64>(vg, v128.load(wj + o), v128.load(wc + o)));
        }
        if (i < h) store<f64>(wc + (<usize>i << 3), load<f64>(wc + (<usize>i << 3)) - g * load<f64>(wj + (<usize>i << 3)));
      }
    }
    store<f64>(taus + (<usize>j << 3), tau);
  }
}

// dst[0:n] (float64) += src[0:n] (float32): per-chunk float32 products summed into float64.
export function add_f32_f64(n: i32, src: usize, dst: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(src + (<usize>i << 2)), d = dst + (<usize>i << 3);
    v128.store(d, f64x2.add(v128.load(d), f64x2.promote_low_f32x4(x)));
    v128.store(d, f64x2.add(v128.load(d, 16), f64x2.promote_low_f32x4(v128.shuffle<i32>(x, x, 2, 3, 0, 1))), 16);
  }
  for (; i < n; i++) store<f64>(dst + (<usize>i << 3), load<f64>(dst + (<usize>i << 3)) + <f64>load<f32>(src + (<usize>i << 2)));
}

// dst[0:n] (float64) += src[0:n] (float64).
export function add_f64_f64(n: i32, src: usize, dst: usize): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const d = dst + (<usize>i << 3);
    v128.store(d, f64x2.add(v128.load(d), v128.load(src + (<usize>i << 3))));
  }
  for (; i < n; i++) store<f64>(dst + (<usize>i << 3), load<f64>(dst + (<usize>i << 3)) + load<f64>(src + (<usize>i << 3)));
}

// dst (rows x cols) = src (rows x cols), elements of `es` bytes, row strides in bytes.
export function copy_rows(rows: i32, cols: i32, es: i32, src: usize, lds: usize, dst: usize, ldd: usize): void {
  const bytes = <usize>cols * <usize>es;
  for (let i = 0; i < rows; i++) memory.copy(dst + <usize>i * ldd, src + <usize>i * lds, bytes);
}

// dst (rows x cols) = src (rows x cols), float32, row strides in bytes.
export function copy_f32(rows: i32, cols: i32, src: usize, lds: usize, dst: usize, ldd: usize): void {
  copy_rows(rows, cols, 4, src, lds, dst, ldd);
}

// Counting sort of b compressed items (z entries each: int32 indices in [0, dim), float64 values)
// into CSR lists by index: list c holds (t, value) for the items t with an entry at c, t increasing;
// values rounded to float32. ptr has dim + 1 int32 entries; cursor is int32 scratch of dim.
export function csr_from_items(b: i32, z: i32, dim: i32, idx: usize, val: usize, ptr: usize, oIdx: usize, oVal: usize, cursor: usize): void {
  csrFromItemsT<f32>(b, z, dim, idx, val, ptr, oIdx, oVal, cursor);
}

// The same with float64 values (the float64 engine).
export function csr_from_items_f64(b: i32, z: i32, dim: i32, idx: usize, val: usize, ptr: usize, oIdx: usize, oVal: usize, cursor: usize): void {
  csrFromItemsT<f64>(b, z, dim, idx, val, ptr, oIdx, oVal, cursor);
}

@inline function csrFromItemsT<T>(b: i32, z: i32, dim: i32, idx: usize, val: usize, ptr: usize, oIdx: usize, oVal: usize, cursor: usize): void {
  memory.fill(ptr, 0, (<usize>dim + 1) << 2);
  const e = b * z;
  for (let p = 0; p < e; p++) {
    const a = ptr + ((<usize>load<i32>(idx + (<usize>p << 2)) + 1) << 2);
    store<i32>(a, load<i32>(a) + 1);
  }
  let run = 0;
  for (let c = 0; c < dim; c++) {
    store<i32>(cursor + (<usize>c << 2), run);
    run += load<i32>(ptr + ((<usize>c + 1) << 2));
    store<i32>(ptr + ((<usize>c + 1) << 2), run);
  }
  let p = 0;
  for (let t = 0; t < b; t++) {
    for (let q = 0; q < z; q++, p++) {
      const cp = cursor + (<usize>load<i32>(idx + (<usize>p << 2)) << 2);
      const at = load<i32>(cp);
      store<i32>(cp, at + 1);
      store<i32>(oIdx + (<usize>at << 2), t);
      store<T>(oVal + <usize>at * sizeof<T>(), <T>load<f64>(val + (<usize>p << 3)));
    }
  }
}

// ---- Seeded test matrices: Philox4x32-10 [SMDS11] and the item generators of src/random/test-matrix.ts,
// bit for bit (the same integer and IEEE double operations; test/random-streams.test.ts compares them).

// The four words of the last `philox` call (module globals: one instance per thread).
let px0: u32 = 0, px1: u32 = 0, px2: u32 = 0, px3: u32 = 0;

// Philox4x32-10 of the counter (c0, c1, c2, c3) under the key (k0, k1) into px0..px3.
@inline function philox(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  let x0 = c0, x1 = c1, x2 = c2, x3 = c3, a = k0, b = k1;
  for (let r = 0; r < 10; r++) {
    const p0 = <u64>0xD2511F53 * <u64>x0;
    const p1 = <u64>0xCD9E8D57 * <u64>x2;
    const y0 = <u32>(p1 >>> 32) ^ x1 ^ a;
    const y2 = <u32>(p0 >>> 32) ^ x3 ^ b;
    x1 = <u32>p1; x3 = <u32>p0; x0 = y0; x2 = y2;
    a += 0x9E3779B9; b += 0xBB67AE85;
  }
  px0 = x0; px1 = x1; px2 = x2; px3 = x3;
}

// Box-Muller of src/random/box-muller.ts; `tab` holds LOG_TABLE (726 float64) then SIN_COS_TABLE (1024).
const BM_LN2: f64 = 0.6931471805599453;
const BM_INV_2_31: f64 = 1.0 / 2147483648.0;
const BM_SQRT2_N: i32 = -1257966796; // 3037000500 - 2^32
const BM_TURN: f64 = 3.141592653589793 * (1.0 / 2147483648.0);
const BM_STEP: f64 = 1.0 / 512.0;
const BM_THIRD: f64 = 1.0 / 3.0;
const BM_SIXTH: f64 = -1.0 / 6.0;
const BM_120: f64 = 1.0 / 120.0;
const BM_24: f64 = 1.0 / 24.0;

// ln u for u = (w + 1) 2^-32 (logUniform).
@inline function bmLog(w: u32, tab: usize): f64 {
  if (w == 0xFFFFFFFF) return 0.0;
  const a1 = w + 1;
  const lz = <i32>clz<u32>(a1);
  const n = a1 << <u32>lz;
  const hi = <u32>(BM_SQRT2_N - 1 - <i32>n) >>> 31;
  const m = <f64>n * BM_INV_2_31 * (1.0 - 0.5 * <f64>hi);
  const j = ((n >>> hi) + 2097152) >>> 22;
  const t = <usize>(2 * (j - 362));
  const r = (m - <f64>j * BM_STEP) * load<f64>(tab + ((t + 1) << 3));
  const p = r + r * r * (-0.5 + r * (BM_THIRD + r * (-0.25 + r * 0.2)));
  return (<f64>(<i32>hi - 1 - lz) * BM_LN2 + load<f64>(tab + (t << 3))) + p;
}

// The pair sqrt(-2 ln u1) (cos 2 pi u2, sin 2 pi u2) of words (w1, w2) into float64/float32 at o
// (the second value only when `both`).
@inline function bmPair<T>(w1: u32, w2: u32, tab: usize, o: usize, both: bool): void {
  const r = Math.sqrt(-2.0 * bmLog(w1, tab));
  const c: u32 = w2 + 1 + 4194304;
  const j = <usize>((c >>> 23) & 511);
  const d = <f64>(<i32>(c & 8388607) - 4194304) * BM_TURN;
  const z = d * d;
  const sinD = d + d * z * (BM_SIXTH + z * BM_120);
  const cosD1 = z * (-0.5 + z * BM_24);
  const sc = tab + (726 << 3) + (j << 4);
  const cj = load<f64>(sc), sj = load<f64>(sc, 8);
  const v0 = r * (cj + (cj * cosD1 - sj * sinD));
  if (sizeof<T>() == 8) store<f64>(o, v0); else store<f32>(o, <f32>v0);
  if (both) {
    const v1 = r * (sj + (sj * cosD1 + cj * sinD));
    if (sizeof<T>() == 8) store<f64>(o, v1, 8); else store<f32>(o, <f32>v1, 4);
  }
}

// Philox4x32-10 of four counters at once (lane l: (c0[l], c1[l], c2[l], 0)) under one key, into
// pv0..pv3 (lane l of pvk = word k of counter l): i64x2.extmul gives the exact 64-bit products of two
// lanes at a time; the same words as `philox` lane by lane.
let pv0: v128 = i32x4.splat(0), pv1: v128 = i32x4.splat(0), pv2: v128 = i32x4.splat(0), pv3: v128 = i32x4.splat(0);
@inline function philoxX4(c0: v128, c1: v128, c2: v128, k0: u32, k1: u32): void {
  const m0 = i32x4.splat(0xD2511F53), m1 = i32x4.splat(0xCD9E8D57);
  let x0 = c0, x1 = c1, x2 = c2, x3 = i32x4.splat(0);
  let a = k0, b = k1;
  for (let r = 0; r < 10; r++) {
    const p0l = i64x2.extmul_low_i32x4_u(x0, m0), p0h = i64x2.extmul_high_i32x4_u(x0, m0);
    const p2l = i64x2.extmul_low_i32x4_u(x2, m1), p2h = i64x2.extmul_high_i32x4_u(x2, m1);
    const hi0 = i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), lo0 = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
    const hi2 = i32x4.shuffle(p2l, p2h, 1, 3, 5, 7), lo2 = i32x4.shuffle(p2l, p2h, 0, 2, 4, 6);
    x0 = v128.xor(v128.xor(hi2, x1), i32x4.splat(a)); x1 = lo2;
    x2 = v128.xor(v128.xor(hi0, x3), i32x4.splat(b)); x3 = lo0;
    a += 0x9E3779B9; b += 0xBB67AE85;
  }
  pv0 = x0; pv1 = x1; pv2 = x2; pv3 = x3;
}

// The four normals of one Philox block (words w0..w3) at o (only the first `left` of them, left >= 1).
@inline function bmBlock<T>(w0: u32, w1: u32, w2: u32, w3: u32, tab: usize, o: usize, left: i32): void {
  bmPair<T>(w0, w1, tab, o, left > 1);
  if (left > 2) bmPair<T>(w2, w3, tab, o + 2 * <usize>sizeof<T>(), left > 3);
}

// Philox4x32-10 of eight counters at once, two independent groups of four lanes (A: pv0..pv3, B:
// pw0..pw3) interleaved round by round: one group alone is bound by the latency of the round's
// multiply-shuffle-xor chain, two keep the SIMD units busy.
let pw0: v128 = i32x4.splat(0), pw1: v128 = i32x4.splat(0), pw2: v128 = i32x4.splat(0), pw3: v128 = i32x4.splat(0);
@inline function philoxX8(a0: v128, a1: v128, a2: v128, b0: v128, b1: v128, b2: v128, k0: u32, k1: u32): void {
  const m0 = i32x4.splat(0xD2511F53), m1 = i32x4.splat(0xCD9E8D57);
  let x0 = a0, x1 = a1, x2 = a2, x3 = i32x4.splat(0);
  let y0 = b0, y1 = b1, y2 = b2, y3 = i32x4.splat(0);
  let ka = k0, kb = k1;
  for (let r = 0; r < 10; r++) {
    const p0l = i64x2.extmul_low_i32x4_u(x0, m0), p0h = i64x2.extmul_high_i32x4_u(x0, m0);
    const p2l = i64x2.extmul_low_i32x4_u(x2, m1), p2h = i64x2.extmul_high_i32x4_u(x2, m1);
    const q0l = i64x2.extmul_low_i32x4_u(y0, m0), q0h = i64x2.extmul_high_i32x4_u(y0, m0);
    const q2l = i64x2.extmul_low_i32x4_u(y2, m1), q2h = i64x2.extmul_high_i32x4_u(y2, m1);
    const sa = i32x4.splat(ka), sb = i32x4.splat(kb);
    const hi0 = i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), lo0 = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
    const hi2 = i32x4.shuffle(p2l, p2h, 1, 3, 5, 7), lo2 = i32x4.shuffle(p2l, p2h, 0, 2, 4, 6);
    const gi0 = i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), go0 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
    const gi2 = i32x4.shuffle(q2l, q2h, 1, 3, 5, 7), go2 = i32x4.shuffle(q2l, q2h, 0, 2, 4, 6);
    x0 = v128.xor(v128.xor(hi2, x1), sa); x1 = lo2; x2 = v128.xor(v128.xor(hi0, x3), sb); x3 = lo0;
    y0 = v128.xor(v128.xor(gi2, y1), sa); y1 = go2; y2 = v128.xor(v128.xor(gi0, y3), sb); y3 = go0;
    ka += 0x9E3779B9; kb += 0xBB67AE85;
  }
  pv0 = x0; pv1 = x1; pv2 = x2; pv3 = x3;
  pw0 = y0; pw1 = y1; pw2 = y2; pw3 = y3;
}

@inline function gaussianItems<T>(k0: u32, k1: u32, i0: f64, n: i32, dim: i32, out: usize, ld: i32, tab: usize): void {
  const es = <usize>sizeof<T>();
  const first = <u64>i0;
  const nb = (dim + 3) >> 2; // blocks per item
  const total = <i64>n * <i64>nb;
  // The (item, block) pairs in order, eight at a time: lane l holds pair f + l (t_l, b_l).
  let t0 = 0, b0 = 0, t1 = 0, b1 = 1, t2 = 0, b2 = 2, t3 = 0, b3 = 3, t4 = 0, b4 = 4, t5 = 0, b5 = 5, t6 = 0, b6 = 6, t7 = 0, b7 = 7;
  while (b1 >= nb) { b1 -= nb; t1++; }
  while (b2 >= nb) { b2 -= nb; t2++; }
  while (b3 >= nb) { b3 -= nb; t3++; }
  while (b4 >= nb) { b4 -= nb; t4++; }
  while (b5 >= nb) { b5 -= nb; t5++; }
  while (b6 >= nb) { b6 -= nb; t6++; }
  while (b7 >= nb) { b7 -= nb; t7++; }
  let f: i64 = 0;
  for (; f + 8 <= total; f += 8) {
    const i0v = first + <u64>t0;
    const i1v = first + <u64>t1;
    const i2v = first + <u64>t2;
    const i3v = first + <u64>t3;
    const i4v = first + <u64>t4;
    const i5v = first + <u64>t5;
    const i6v = first + <u64>t6;
    const i7v = first + <u64>t7;
    let c0a = i32x4.splat(<i32>i0v);
    c0a = i32x4.replace_lane(c0a, 1, <i32>i1v);
    c0a = i32x4.replace_lane(c0a, 2, <i32>i2v);
    c0a = i32x4.replace_lane(c0a, 3, <i32>i3v);
    let c1a = i32x4.splat(<i32>(i0v >>> 32));
    c1a = i32x4.replace_lane(c1a, 1, <i32>(i1v >>> 32));
    c1a = i32x4.replace_lane(c1a, 2, <i32>(i2v >>> 32));
    c1a = i32x4.replace_lane(c1a, 3, <i32>(i3v >>> 32));
    let c2a = i32x4.splat(b0);
    c2a = i32x4.replace_lane(c2a, 1, b1);
    c2a = i32x4.replace_lane(c2a, 2, b2);
    c2a = i32x4.replace_lane(c2a, 3, b3);
    let c0b = i32x4.splat(<i32>i4v);
    c0b = i32x4.replace_lane(c0b, 1, <i32>i5v);
    c0b = i32x4.replace_lane(c0b, 2, <i32>i6v);
    c0b = i32x4.replace_lane(c0b, 3, <i32>i7v);
    let c1b = i32x4.splat(<i32>(i4v >>> 32));
    c1b = i32x4.replace_lane(c1b, 1, <i32>(i5v >>> 32));
    c1b = i32x4.replace_lane(c1b, 2, <i32>(i6v >>> 32));
    c1b = i32x4.replace_lane(c1b, 3, <i32>(i7v >>> 32));
    let c2b = i32x4.splat(b4);
    c2b = i32x4.replace_lane(c2b, 1, b5);
    c2b = i32x4.replace_lane(c2b, 2, b6);
    c2b = i32x4.replace_lane(c2b, 3, b7);
    philoxX8(c0a, c1a, c2a, c0b, c1b, c2b, k0, k1);
    const q0 = pv0, q1 = pv1, q2 = pv2, q3 = pv3, r0 = pw0, r1 = pw1, r2 = pw2, r3 = pw3;
    bmBlock<T>(<u32>i32x4.extract_lane(q0, 0), <u32>i32x4.extract_lane(q1, 0), <u32>i32x4.extract_lane(q2, 0), <u32>i32x4.extract_lane(q3, 0),
      tab, out + (<usize>t0 * <usize>ld + <usize>(b0 << 2)) * es, dim - (b0 << 2));
    bmBlock<T>(<u32>i32x4.extract_lane(q0, 1), <u32>i32x4.extract_lane(q1, 1), <u32>i32x4.extract_lane(q2, 1), <u32>i32x4.extract_lane(q3, 1),
      tab, out + (<usize>t1 * <usize>ld + <usize>(b1 << 2)) * es, dim - (b1 << 2));
    bmBlock<T>(<u32>i32x4.extract_lane(q0, 2), <u32>i32x4.extract_lane(q1, 2), <u32>i32x4.extract_lane(q2, 2), <u32>i32x4.extract_lane(q3, 2),
      tab, out + (<usize>t2 * <usize>ld + <usize>(b2 << 2)) * es, dim - (b2 << 2));
    bmBlock<T>(<u32>i32x4.extract_lane(q0, 3), <u32>i32x4.extract_lane(q1, 3), <u32>i32x4.extract_lane(q2, 3), <u32>i32x4.extract_lane(q3, 3),
      tab, out + (<usize>t3 * <usize>ld + <usize>(b3 << 2)) * es, dim - (b3 << 2));
    bmBlock<T>(<u32>i32x4.extract_lane(r0, 0), <u32>i32x4.extract_lane(r1, 0), <u32>i32x4.extract_lane(r2, 0), <u32>i32x4.extract_lane(r3, 0),
      tab, out + (<usize>t4 * <usize>ld + <usize>(b4 << 2)) * es, dim - (b4 << 2));
    bmBlock<T>(<u32>i32x4.extract_lane(r0, 1), <u32>i32x4.extract_lane(r1, 1), <u32>i32x4.extract_lane(r2, 1), <u32>i32x4.extract_lane(r3, 1),
      tab, out + (<usize>t5 * <usize>ld + <usize>(b5 << 2)) * es, dim - (b5 << 2));
    bmBlock<T>(<u32>i32x4.extract_lane(r0, 2), <u32>i32x4.extract_lane(r1, 2), <u32>i32x4.extract_lane(r2, 2), <u32>i32x4.extract_lane(r3, 2),
      tab, out + (<usize>t6 * <usize>ld + <usize>(b6 << 2)) * es, dim - (b6 << 2));
    bmBlock<T>(<u32>i32x4.extract_lane(r0, 3), <u32>i32x4.extract_lane(r1, 3), <u32>i32x4.extract_lane(r2, 3), <u32>i32x4.extract_lane(r3, 3),
      tab, out + (<usize>t7 * <usize>ld + <usize>(b7 << 2)) * es, dim - (b7 << 2));
    b0 += 8; while (b0 >= nb) { b0 -= nb; t0++; }
    b1 += 8; while (b1 >= nb) { b1 -= nb; t1++; }
    b2 += 8; while (b2 >= nb) { b2 -= nb; t2++; }
    b3 += 8; while (b3 >= nb) { b3 -= nb; t3++; }
    b4 += 8; while (b4 >= nb) { b4 -= nb; t4++; }
    b5 += 8; while (b5 >= nb) { b5 -= nb; t5++; }
    b6 += 8; while (b6 >= nb) { b6 -= nb; t6++; }
    b7 += 8; while (b7 >= nb) { b7 -= nb; t7++; }
  }
  // The last 1 to 7 pairs one at a time (lane 0 walks on).
  for (; f < total; f++) {
    const i = first + <u64>t0;
    philox(<u32>i, <u32>(i >>> 32), <u32>b0, 0, k0, k1);
    bmBlock<T>(px0, px1, px2, px3, tab, out + (<usize>t0 * <usize>ld + <usize>(b0 << 2)) * es, dim - (b0 << 2));
    b0 += 1; if (b0 >= nb) { b0 = 0; t0++; }
  }
}

// n Gaussian items (dim normals each) of the stream (k0, k1) from item i0 (an integer below 2^53) as
// rows `ld` elements apart at out: float64 / float32 (the float64 values rounded once).
export function philox_gaussian_f64(k0: u32, k1: u32, i0: f64, n: i32, dim: i32, out: usize, ld: i32, tab: usize): void {
  gaussianItems<f64>(k0, k1, i0, n, dim, out, ld, tab);
}
export function philox_gaussian_f32(k0: u32, k1: u32, i0: f64, n: i32, dim: i32, out: usize, ld: i32, tab: usize): void {
  gaussianItems<f32>(k0, k1, i0, n, dim, out, ld, tab);
}

// One sparse-sign item from its words (word w at wp + w * ws bytes): Floyd's sample of zeta distinct
// positions from words 0 .. zeta - 1 (floor(w * 2^-32 * (j + 1)) for j = dim - zeta + p, j itself when
// already taken) into o (int32), then the bits p of word zeta give the signs of +-scale (float64) at ov.
@inline function sparseSignItem(wp: usize, ws: usize, dim: i32, zeta: i32, scale: f64, o: usize, ov: usize): void {
  const j0 = dim - zeta;
  for (let c = 0; c < zeta; c++) {
    const w = load<u32>(wp + <usize>c * ws);
    const j = j0 + c;
    const r = <i32>Math.floor(<f64>w * 2.3283064365386963e-10 * <f64>(j + 1));
    let v = r;
    for (let p = 0; p < c; p++) if (load<i32>(o + (<usize>p << 2)) == r) { v = j; break; }
    store<i32>(o + (<usize>c << 2), v);
  }
  const signs = load<u32>(wp + <usize>zeta * ws);
  for (let p = 0; p < zeta; p++) store<f64>(ov + (<usize>p << 3), (signs >>> <u32>p) & 1 ? scale : -scale);
}

// n compressed sparse-sign items of dimension dim (zeta = min(dim, 8) entries each) of the stream
// (k0, k1) from item i0, as `sparseSignItem` describes; `tmp` is 192 bytes of scratch (the words of four
// items: Philox runs on four items at once, the last n mod 4 items one at a time).
export function philox_sparse_sign(k0: u32, k1: u32, i0: f64, n: i32, dim: i32, zeta: i32, scale: f64, idx: usize, val: usize, tmp: usize): void {
  const first = <u64>i0;
  const nb = (zeta + 4) >> 2; // blocks of zeta + 1 words
  let t = 0;
  for (; t + 4 <= n; t += 4) {
    const i = first + <u64>t;
    let c0 = i32x4.splat(<i32>i), c1 = i32x4.splat(<i32>(i >>> 32));
    for (let l = 1; l < 4; l++) {
      const il = i + <u64>l;
      c0 = l == 1 ? i32x4.replace_lane(c0, 1, <i32>il) : l == 2 ? i32x4.replace_lane(c0, 2, <i32>il) : i32x4.replace_lane(c0, 3, <i32>il);
      c1 = l == 1 ? i32x4.replace_lane(c1, 1, <i32>(il >>> 32)) : l == 2 ? i32x4.replace_lane(c1, 2, <i32>(il >>> 32)) : i32x4.replace_lane(c1, 3, <i32>(il >>> 32));
    }
    // Word 4b + k of item l at tmp + ((4b + k) * 4 + l) * 4; blocks two at a time (philoxX8), then the odd one.
    let b = 0;
    for (; b + 1 < nb; b += 2) {
      philoxX8(c0, c1, i32x4.splat(b), c0, c1, i32x4.splat(b + 1), k0, k1);
      const at = tmp + (<usize>b << 6);
      v128.store(at, pv0); v128.store(at, pv1, 16); v128.store(at, pv2, 32); v128.store(at, pv3, 48);
      v128.store(at, pw0, 64); v128.store(at, pw1, 80); v128.store(at, pw2, 96); v128.store(at, pw3, 112);
    }
    if (b < nb) {
      philoxX4(c0, c1, i32x4.splat(b), k0, k1);
      const at = tmp + (<usize>b << 6);
      v128.store(at, pv0); v128.store(at, pv1, 16); v128.store(at, pv2, 32); v128.store(at, pv3, 48);
    }
    for (let l = 0; l < 4; l++) {
      const o = <usize>((t + l) * zeta);
      sparseSignItem(tmp + (<usize>l << 2), 16, dim, zeta, scale, idx + (o << 2), val + (o << 3));
    }
  }
  for (; t < n; t++) {
    const i = first + <u64>t;
    for (let b = 0; b < nb; b++) {
      philox(<u32>i, <u32>(i >>> 32), <u32>b, 0, k0, k1);
      const at = tmp + (<usize>b << 4);
      store<u32>(at, px0); store<u32>(at, px1, 4); store<u32>(at, px2, 8); store<u32>(at, px3, 12);
    }
    const o = <usize>(t * zeta);
    sparseSignItem(tmp, 4, dim, zeta, scale, idx + (o << 2), val + (o << 3));
  }
}
