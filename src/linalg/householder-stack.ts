/**
 * In place: the (k1 + b) x k1 stack [R; B] with R upper triangular becomes [R'; 0-ish] where R' is
 * the R factor of the stack [GVL13 §5.2.2, structured]. Rows below k1 are left as garbage. The
 * small, allocation-free form used where a spill is read back to rebuild a TSQR factor.
 */
export function householderStackR(st: Float64Array, k1: number, b: number): void {
  const base = k1 * k1;
  for (let j = 0; j < k1; j++) {
    const djj = st[j * k1 + j];
    let norm2 = 0;
    for (let t = 0; t < b; t++) { const x = st[base + t * k1 + j]; norm2 += x * x; }
    if (norm2 === 0) continue; // already triangular in this column
    const alpha = -(djj >= 0 ? 1 : -1) * Math.sqrt(djj * djj + norm2);
    const v0 = djj - alpha;
    const vtv = v0 * v0 + norm2;
    const f = 2 / vtv;
    for (let c = j + 1; c < k1; c++) {
      let w = v0 * st[j * k1 + c];
      for (let t = 0; t < b; t++) w += st[base + t * k1 + j] * st[base + t * k1 + c];
      w *= f;
      st[j * k1 + c] -= w * v0;
      for (let t = 0; t < b; t++) st[base + t * k1 + c] -= w * st[base + t * k1 + j];
    }
    st[j * k1 + j] = alpha;
    for (let t = 0; t < b; t++) st[base + t * k1 + j] = 0;
  }
}
