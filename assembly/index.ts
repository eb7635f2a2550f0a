// The adjoint wasm kernels: one module, no allocator of its own. The JS side
// (src/backend/wasm/) owns the linear memory (imported as env.memory), places
// every buffer and passes pointers; kernels only read and write what they are
// given, so one module instance per thread can share one memory.

export { GEMM_WORK_BYTES, gemmF32, gemmF64 } from './gemm';
export {
  binaryF32, binaryF64, compareF32, compareF64, copy, fillF32, fillF64, fillI32, fillU8,
  unaryF32, unaryF64, whereF32, whereF64, zero,
} from './elementwise';
export { reduceColsF32, reduceColsF64, reduceRowsF32, reduceRowsF64 } from './reduce';
export { col2imF32, col2imF64, im2colF32, im2colF64 } from './window';

/** First byte past the module's static data: the JS allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
