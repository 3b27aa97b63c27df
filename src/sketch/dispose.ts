import { methodOf } from './registry.js';
import type { SketchState } from './types.js';

/**
 * Release the record's WebAssembly memory (the engine workspace) now rather than at garbage
 * collection. The record stays readable: it can be merged, serialized and reconstructed, not updated.
 */
export function disposeSketch(state: SketchState): void {
  methodOf(state).dispose(state);
}
