/**
 * Run by runtime.test.ts in a child process: a loop that drops a 1 MiB storage
 * per step while the JS heap holds a million objects (so every GC the
 * allocator runs is slow). With the default limit the pool grows (fewer GCs);
 * with `--fixed` (a limit set by `setWasmOptions`) it stays where it was set.
 * Prints wasmInfo() as JSON.
 */
import { setWasmOptions, wasmBackend, wasmInfo } from '../../src/backend/index.js';

const fixed = process.argv.includes('--fixed');
if (fixed) setWasmOptions({ residentLimitBytes: 64 * 2 ** 20 });
const live = Array.from({ length: 1e6 }, (_, i) => ({ i, next: [i] }));
for (let i = 0; i < 2000; i++) wasmBackend.alloc('float32', 262144);
console.log(JSON.stringify({ ...wasmInfo(), live: live.length }));
