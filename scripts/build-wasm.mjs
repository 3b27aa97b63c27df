// Placeholder until the WebAssembly kernels land: nothing to compile yet.
console.log('build-wasm: no kernels yet');
