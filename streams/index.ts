/**
 * rangefinder streams layer: sources (Arrow IPC, Parquet, .npy, stdin, TCP, synthetic), RxJS
 * operators, sinks (factors, the range-sketch spill), the multi-pass driver and the kernel threads.
 */
export type { RowBlock, SourceInfo, BlockSource, Orientation } from './types.js';
export { openSource } from './sources/open-source.js';
export { fromNpy, npyDecoder, type NpyDecodeOptions } from './sources/from-npy.js';
export { fromArrowFile, arrowFileDecoder } from './sources/from-arrow-file.js';
export { fromArrowStream, arrowStreamDecoder, type ArrowStreamOptions } from './sources/from-arrow-stream.js';
export { fromParquet, parquetDecoder } from './sources/from-parquet.js';
export { fromTcp, tcpDecoder, type TcpAddress } from './sources/from-tcp.js';
export { listenTcp, type ListeningSource } from './sources/listen-tcp.js';
export { fromSynthetic, syntheticDecoder, type SyntheticSpec } from './sources/from-synthetic.js';
export type { SourceOptions, DecodeOptions, ComposeOptions, SourceStats, MeasuredSource, NonFinitePolicy } from './sources/source-options.js';
export type { FormatDecoder, DecodedSource, DecoderRecipe } from './sources/decoder.js';
// The concerns every source shares, as wrappers over any block source (compose-source.ts composes them).
export { composeSource, type ComposedSource } from './wrappers/compose-source.js';
export { withNonFinite, type NonFiniteOptions } from './wrappers/non-finite.js';
export { transposed } from './wrappers/transposed.js';
export { readAhead } from './wrappers/read-ahead.js';
export { requireRows } from './wrappers/require-rows.js';
export { sameWidth } from './wrappers/same-width.js';
export { onDecodeWorker } from './sources/from-decode-worker.js';
export { scaleExtremeValues, type ScaledSource } from './wrappers/scale-extreme.js';
export { selectRows, type RowSelection } from './wrappers/select-rows.js';
export {
  saveSketch, loadSketch, sketchOf, readSketchFile, writeSketchFile, forEachRangeBlock, sketchShapeOf, shapeDifference, SKETCH_FILE_VERSION,
  type SketchFile, type SketchFileHeader, type SketchFileInfo, type SketchShape, type SectionInput, type SectionEntry, type InputIdentity,
} from './sketch-file.js';
export { writeNpy, type WriteNpyOptions } from './sinks/write-npy.js';
export { createNpyWriter, type NpyWriter, type NpyWriterOptions } from './sinks/create-npy-writer.js';
export { writeArrowFactor, type WriteArrowOptions } from './sinks/write-arrow-factor.js';
export { writeParquetFactor, type WriteParquetOptions } from './sinks/write-parquet-factor.js';
export { createSpill, type Spill, type SpillOptions } from './sinks/create-spill.js';
export * from './operators/index.js';
export { runPasses } from './run-passes.js';
export type { RunPlan, PassProgress, RunPassesOptions, RunPassesResult } from './run-passes.js';
export { startKernelThreads, type KernelThreads } from './thread-pool.js';
export { enableRelaxedSimd } from './enable-relaxed-simd.js';
export { describeSource, type SourceDescription } from './describe-source.js';
export { stopDecodeWorkers, DEFAULT_DECODE_AHEAD } from './sources/from-decode-worker.js';
export { compressModel, modelFormatOf, type CompressOptions, type CompressReport, type LayerReport } from './models/compress-model.js';
export { readSafetensors, type SafetensorsModel, type SafetensorsTensor } from './models/read-safetensors.js';
export { readOnnx, type OnnxModel } from './models/read-onnx.js';
export { readTfjs, type TfjsModel, type TfjsWeight } from './models/read-tfjs.js';
export { evaluateOnnx, type EvaluationReport } from './models/evaluate-onnx.js';
export type { WeightMatrix, ModelLayer, ModelFormat } from './models/model-types.js';
