// The slice of the WebAssembly JS API the kernels use. tsconfig's lib is ES2022 without DOM, and
// @types/node 20 declares no WebAssembly globals; these match lib.dom.d.ts's declarations.
declare namespace WebAssembly {
  type ImportValue = unknown;
  type Imports = Record<string, Record<string, ImportValue>>;
  type Exports = Record<string, unknown>;
  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
  interface ModuleImportDescriptor { module: string; name: string; kind: string }
  class Module {
    constructor(bytes: BufferSource);
    static imports(module: Module): ModuleImportDescriptor[];
  }
  class Instance {
    constructor(module: Module, importObject?: Imports);
    readonly exports: Exports;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }
  function validate(bytes: BufferSource): boolean;
}
type BufferSource = ArrayBufferView | ArrayBuffer;
/** Base64 decoding: a global of every JavaScript host the kernels run in (Node >= 16, browsers, workers). */
declare function atob(data: string): string;
