/** The RxJS operators of rangefinder: fold row/column blocks into sketches, and read them. */
export { sketchRows } from './sketch-rows.js';
export { sketchColumns, type SketchColumnsOptions, type TransposedSketch } from './sketch-columns.js';
export { approximateEvery, type Approximation } from './approximate-every.js';
export { reconstruct } from './reconstruct.js';
export { estimateError } from './estimate-error.js';
export { factorsOf, stateOf, type AnySketch, type Factors, type FactorsOptions } from './factors-of.js';
export { sketchFactory, type StreamSketchOptions } from './sketch-factory.js';
export { blockError } from './block-error.js';
