/**
 * The page of test/backend/browser.test.ts: loads the wasm kernels by URL
 * (`initWasm`), then runs a threaded matmul and a few training steps on the
 * wasm backend and on the js backend, and leaves the figures in
 * `window.__result` for the test to read.
 */
import { getBackend, logSoftmax, manualSeed, matmul, noGrad, randn, setBackend, tensor, type Tensor } from 'adjoint';
import { initWasm, wasmInfo, wasmThreadsReady } from '../../../src/backend/index.js';

function train(): number[] {
  manualSeed(5);
  const x = randn([64, 40]);
  const w1 = randn([40, 80]).mul(0.1).requiresGrad_();
  const w2 = randn([80, 10]).mul(0.1).requiresGrad_();
  const target = tensor(Array.from({ length: 640 }, (_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0)), { shape: [64, 10] });
  const losses: number[] = [];
  for (let s = 0; s < 4; s++) {
    const loss = logSoftmax(matmul(matmul(x, w1).relu(), w2), 1).mul(target).sum().neg().div(64);
    loss.backward();
    losses.push(loss.item());
    noGrad(() => {
      for (const p of [w1, w2] as Tensor[]) {
        p.sub_(p.grad!.mul(0.5));
        p.grad = null;
      }
    });
  }
  return losses;
}

async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { defaultBackend: getBackend(), crossOriginIsolated: globalThis.crossOriginIsolated === true };
  out.loaded = await initWasm();
  setBackend('wasm');
  out.workersReady = await wasmThreadsReady(10_000);
  manualSeed(1);
  const a = randn([300, 200]);
  const b = randn([200, 250]);
  const w = matmul(a, b).toTypedArray();
  const wasmLosses = train();
  out.info = wasmInfo();
  setBackend('js');
  const j = matmul(a, b).toTypedArray();
  let maxErr = 0;
  for (let i = 0; i < j.length; i++) maxErr = Math.max(maxErr, Math.abs(w[i]! - j[i]!));
  out.matmulMaxErr = maxErr;
  out.wasmLosses = wasmLosses;
  out.jsLosses = train();
  return out;
}

run().then(
  (r) => ((window as unknown as { __result: unknown }).__result = r),
  (e: unknown) => ((window as unknown as { __result: unknown }).__result = { error: String((e as Error).stack ?? e) }),
);
