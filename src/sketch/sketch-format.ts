/**
 * Internal: the binary layout shared by serializeSketch and deserializeSketch (little-endian).
 *
 *   offset  type      field
 *   0       4 bytes   family tag 'RFSK'
 *   4       u16       format version (SKETCH_FORMAT_VERSION)
 *   6       u8        method code (0 three-sketch, 1 two-sketch, 2 fd)
 *   7       u8        test-matrix code (0 gaussian, 1 sparse-sign)
 *   8       u8        size-rule code (0 natural, 1 flat, 2 explicit, 3 default)
 *   9       u8        flags (bit 0 center, bit 1 rangeRValid)
 *   10      u16       reserved (0)
 *   12      u32 x 8   seed, cols, rank, k, s, l, q, chunk
 *   44      u32       fdRows
 *   48      f64 x 3   rows, rowsSeen, rangeScale
 *   72      u32       number of covered-interval bounds (even), then that many f64
 *   ...     f64 arrays in this order, lengths implied by the sizes: coRange, core, errorSketch,
 *           colSums, coRangeOnes, rangeR, coreRange, errorRange
 */
export const MAGIC = [0x52, 0x46, 0x53, 0x4b]; // 'RFSK'
export const METHODS = ['three-sketch', 'two-sketch', 'fd'] as const;
export const FAMILIES = ['gaussian', 'sparse-sign'] as const;
export const RULES = ['natural', 'flat', 'explicit', 'default'] as const;
export const HEADER_BYTES = 76;
export const ARRAY_FIELDS = ['coRange', 'core', 'errorSketch', 'colSums', 'coRangeOnes', 'rangeR', 'coreRange', 'errorRange'] as const;
