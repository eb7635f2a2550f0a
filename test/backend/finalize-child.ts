/**
 * Run by runtime.test.ts in a child process (`node --expose-gc --import tsx`):
 * storages that become unreachable while the program yields are returned to
 * the pool by the FinalizationRegistry, so the memory's top stops rising.
 * Prints wasmInfo() as JSON.
 */
import { wasmBackend, wasmInfo } from '../../src/backend/index.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const startTop = wasmInfo().topBytes!;
let kept = 0;
for (let round = 0; round < 40; round++) {
  for (let i = 0; i < 25; i++) kept += wasmBackend.alloc('float32', 16384).length; // 64 KiB each, dropped at once
  gc();
  await new Promise((r) => setTimeout(r, 1));
}
const info = wasmInfo();
console.log(JSON.stringify({ ...info, grownBytes: info.topBytes! - startTop, allocatedBytes: kept * 4 }));
