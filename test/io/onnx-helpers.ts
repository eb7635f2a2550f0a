// Runs exported models in ONNX Runtime (CPU, graphOptimizationLevel 'all') and compares them with
// adjoint's forward on fresh inputs: float32, 1e-5 relative and 1e-6 absolute.
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { Tensor, tensor } from '../../src/index.js';
import { exportOnnx, type ExportOnnxOptions, type OnnxExportable, type OnnxFunction } from '../../src/io/index.js';

const ORT_TYPE = { float32: 'float32', float64: 'float64', int32: 'int32', bool: 'bool' } as const;

export function toOrt(t: Tensor): ort.Tensor {
  const data = t.toTypedArray();
  return new ort.Tensor(ORT_TYPE[t.dtype], t.dtype === 'bool' ? Uint8Array.from(data) : data, t.shape.slice());
}

export function fromOrt(v: ort.Tensor): Tensor {
  const dtype = v.type === 'float32' ? 'float32' : v.type === 'float64' ? 'float64' : v.type === 'int32' ? 'int32' : 'bool';
  return tensor(Array.from(v.data as ArrayLike<number>, Number), { shape: v.dims.map(Number), dtype });
}

export async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
}

export function expectClose(got: Tensor, want: Tensor, what: string): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  const g = got.toTypedArray();
  const w = want.toTypedArray();
  for (let i = 0; i < w.length; i++) {
    const a = Number(g[i]);
    const b = Number(w[i]);
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - b) <= 1e-6 + 1e-5 * Math.abs(b))) {
      expect.fail(`${what}: element ${i} is ${a} in ONNX Runtime, ${b} in adjoint`);
    }
  }
}

function outputsOf(y: unknown): Tensor[] {
  if (y instanceof Tensor) return [y];
  return (y as unknown[]).flatMap((v) => (v === null ? [] : outputsOf(v)));
}

/**
 * Exports `f` with `example`, then for each input set of `runs` compares ONNX Runtime with adjoint's
 * forward (modules in eval mode). Returns the session for further checks.
 */
export async function checkExport(
  f: OnnxExportable | OnnxFunction, example: Tensor[], runs: Tensor[][], opts: ExportOnnxOptions = {},
): Promise<ort.InferenceSession> {
  const bytes = exportOnnx(f, example, opts);
  const s = await session(bytes);
  const isModule = typeof f !== 'function';
  for (const [r, inputs] of runs.entries()) {
    if (isModule) (f as OnnxExportable).train(false);
    const want = outputsOf(isModule ? (f as { forward(...a: Tensor[]): unknown }).forward(...inputs) : (f as OnnxFunction)(...inputs));
    const feeds: Record<string, ort.Tensor> = {};
    s.inputNames.forEach((n, i) => { feeds[n] = toOrt(inputs[i]!); });
    const out = await s.run(feeds);
    expect(s.outputNames.length).toBe(want.length);
    s.outputNames.forEach((n, i) => expectClose(fromOrt(out[n]!), want[i]!, `run ${r}, output '${n}'`));
  }
  return s;
}

/** The op types of the nodes of an exported model (ModelProto.graph = 7, GraphProto.node = 1, NodeProto.op_type = 4), in order. */
export function opTypes(bytes: Uint8Array): string[] {
  const fields = (buf: Uint8Array): [number, Uint8Array | null][] => {
    const out: [number, Uint8Array | null][] = [];
    let i = 0;
    const varint = (): number => {
      let v = 0;
      let m = 1;
      for (;;) {
        const b = buf[i++]!;
        v += (b & 0x7f) * m;
        m *= 128;
        if (b < 0x80) return v;
      }
    };
    while (i < buf.length) {
      const tag = varint();
      const wire = tag % 8;
      if (wire === 0) { varint(); out.push([tag >>> 3, null]); }
      else if (wire === 2) { const n = varint(); out.push([tag >>> 3, buf.subarray(i, i + n)]); i += n; }
      else if (wire === 5) { i += 4; out.push([tag >>> 3, null]); }
      else if (wire === 1) { i += 8; out.push([tag >>> 3, null]); }
      else throw new Error(`opTypes: unexpected wire type ${wire}`);
    }
    return out;
  };
  const graph = fields(bytes).find(([f]) => f === 7)![1]!;
  const utf8 = new TextDecoder();
  return fields(graph).filter(([f]) => f === 1).map(([, n]) => utf8.decode(fields(n!).find(([f]) => f === 4)![1]!));
}
