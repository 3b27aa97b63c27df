/** The sketch methods: one module each, one line here [docs/ARCHITECTURE.md]. */
import { fd } from './fd/fd.js';
import type { MethodModule } from './method.js';
import { rsvd } from './rsvd/rsvd.js';
import { threeSketch } from './three-sketch/three-sketch.js';
import { twoSketch } from './two-sketch/two-sketch.js';
import type { SketchMethod, SketchState } from './types.js';

const METHODS: { readonly [M in SketchMethod]: MethodModule<Extract<SketchState, { method: M }>> } = {
  'three-sketch': threeSketch,
  'two-sketch': twoSketch,
  rsvd,
  fd,
};

export const SKETCH_METHODS = Object.keys(METHODS) as SketchMethod[];

/** The module of a method (the one dispatch of the face). */
export function methodOf<S extends SketchState>(st: S | SketchMethod): MethodModule<S> {
  const m = typeof st === 'string' ? st : st.method;
  return METHODS[m] as unknown as MethodModule<S>;
}

/** The module whose serialized code is `code`, or undefined. */
export function methodByCode(code: number): MethodModule | undefined {
  return (Object.values(METHODS) as MethodModule[]).find((m) => m.code === code);
}

export function isSketchMethod(x: unknown): x is SketchMethod {
  return typeof x === 'string' && Object.hasOwn(METHODS, x);
}
