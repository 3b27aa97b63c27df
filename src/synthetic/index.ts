/** Synthetic inputs of docs/METHODS.md §8 with exact oracles. */
export type { SyntheticMatrix } from './synthetic-matrix.js';
export { lowRankPlusNoise } from './low-rank-plus-noise.js';
export { polyDecay } from './poly-decay.js';
export type { SyntheticOptions } from './poly-decay.js';
export { expDecay } from './exp-decay.js';
export { haarOrthogonal, haarFrame } from './haar-orthogonal.js';
export { fromSpectrum } from './from-spectrum.js';
