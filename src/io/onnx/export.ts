/**
 * `exportOnnx`: traces a module or a function in eval mode and writes the
 * ONNX model of its forward computation, the weights as initializers.
 */
import { Tracer, withTracer } from '../../ops/index.js';
import { Tensor } from '../../tensor/index.js';
import { OnnxExportError } from '../errors.js';
import { GraphBuilder, type Dim } from './graph.js';
import { emitNode } from './ops.js';
import { encodeModel, type OnnxValueInfo } from './proto.js';

/** What `exportOnnx` needs of a module (an `adjoint/nn` `Module`, duck-typed: `io/` does not import `nn/`). */
export interface OnnxExportable {
  forward(...args: never[]): unknown;
  namedParameters(): [string, Tensor][];
  namedBuffers(): [string, Tensor][];
  namedModules(): [string, OnnxExportable][];
  training: boolean;
  train(mode?: boolean): unknown;
}

/** A function of tensors to export. */
export type OnnxFunction = (...args: Tensor[]) => unknown;

/** Options of `exportOnnx`. */
export interface ExportOnnxOptions {
  /** The opset version (default 17; 17 or later, up to 23). */
  opset?: number;
  /** Names of the graph inputs (default `input` for one, `input_0`, `input_1`... for several). */
  inputNames?: readonly string[];
  /** Names of the graph outputs (default `output` for one, `output_0`... for several). */
  outputNames?: readonly string[];
  /**
   * Symbolic dims per input or output name, PyTorch's shape: `{ input: { 0: 'batch' } }`.
   * An input's dynamic dims must be at least 2 in the example (a size of 1 cannot be told apart from broadcasting).
   */
  dynamicAxes?: Readonly<Record<string, Readonly<Record<number, string>>>>;
}

const MIN_OPSET = 17;
const MAX_OPSET = 23;

/** The IR version that goes with an opset (ONNX's release table). */
function irVersion(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

function isModule(m: unknown): m is OnnxExportable {
  return typeof m === 'object' && m !== null && typeof (m as OnnxExportable).forward === 'function' && typeof (m as OnnxExportable).namedParameters === 'function';
}

function defaultNames(prefix: string, n: number): string[] {
  return n === 1 ? [prefix] : Array.from({ length: n }, (_, i) => `${prefix}_${i}`);
}

function flattenOutputs(y: unknown): Tensor[] {
  if (y instanceof Tensor) return [y];
  if (Array.isArray(y)) return y.flatMap((v: unknown) => (v === null || v === undefined ? [] : flattenOutputs(v)));
  throw new OnnxExportError('exportOnnx', `the traced function must return a tensor or an array of tensors, got ${y === null ? 'null' : typeof y}`);
}

/** Runs `fn` with every submodule's forward inside a tracer scope named by its path, modules in eval mode. */
function traceModule(m: OnnxExportable, tracer: Tracer, fn: () => unknown): unknown {
  const modules = m.namedModules();
  const modes = modules.map(([, sub]) => sub.training);
  const saved: [OnnxExportable, PropertyDescriptor | undefined][] = [];
  m.train(false);
  try {
    for (const [path, sub] of modules) {
      if (path === '') continue;
      const own = Object.getOwnPropertyDescriptor(sub, 'forward');
      saved.push([sub, own]);
      const forward = sub.forward;
      const label = `${path} (${sub.constructor.name})`;
      Object.defineProperty(sub, 'forward', {
        value: (...args: never[]) => tracer.withScope(label, () => forward.apply(sub, args)),
        configurable: true, writable: true,
      });
    }
    return withTracer(tracer, fn);
  } finally {
    for (const [sub, own] of saved) {
      if (own === undefined) delete (sub as { forward?: unknown }).forward;
      else Object.defineProperty(sub, 'forward', own);
    }
    modules.forEach(([, sub], i) => { sub.training = modes[i]!; });
  }
}

function checkOptions(opts: ExportOnnxOptions, nIn: number): number {
  const opset = opts.opset ?? MIN_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new OnnxExportError('exportOnnx', `opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${String(opts.opset)}`);
  }
  if (opts.inputNames !== undefined && opts.inputNames.length !== nIn) {
    throw new OnnxExportError('exportOnnx', `inputNames has ${opts.inputNames.length} names for ${nIn} example inputs`);
  }
  return opset;
}

/**
 * The ONNX model (bytes of a `ModelProto`) of `moduleOrFn` applied to
 * `exampleInputs`, traced once in eval mode (modules are put back in their
 * mode after). Parameters and buffers become initializers named like
 * `namedParameters()` / `namedBuffers()`; other tensors the computation
 * creates become constant initializers. Dims named in `dynamicAxes` stay
 * symbolic: Reshape and Expand targets are computed from the inputs'
 * shapes where they flow. An op without an ONNX counterpart throws
 * `OnnxExportError` naming the op and the module path (or the caller's
 * frame) where it was traced.
 *
 * @example
 * const bytes = exportOnnx(model, [randn([2, 1, 8, 8])], { dynamicAxes: { input: { 0: 'batch' }, output: { 0: 'batch' } } });
 * writeFileSync('model.onnx', bytes);
 * exportOnnx((a, b) => a.matmul(b).relu(), [randn([2, 3]), randn([3, 4])], { opset: 18 });
 */
export function exportOnnx(moduleOrFn: OnnxExportable | OnnxFunction, exampleInputs: Tensor | readonly Tensor[], opts: ExportOnnxOptions = {}): Uint8Array {
  const inputs = exampleInputs instanceof Tensor ? [exampleInputs] : [...exampleInputs];
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new OnnxExportError('exportOnnx', `example input ${i} must be a tensor, got ${typeof t}`);
  });
  const opset = checkOptions(opts, inputs.length);
  const module = isModule(moduleOrFn) ? moduleOrFn : null;
  if (module === null && typeof moduleOrFn !== 'function') throw new OnnxExportError('exportOnnx', 'expected a Module or a function');
  const inNames = opts.inputNames !== undefined ? [...opts.inputNames] : defaultNames('input', inputs.length);
  const dynamic = opts.dynamicAxes ?? {};

  const params = new Map<Tensor, string>();
  if (module !== null) for (const [name, t] of [...module.namedParameters(), ...module.namedBuffers()]) if (!params.has(t)) params.set(t, name);

  const tracer = new Tracer({ captureStacks: true });
  const run = (): unknown => (module !== null ? module.forward(...(inputs as never[])) : (moduleOrFn as OnnxFunction)(...inputs));
  const outputs = flattenOutputs(module !== null ? traceModule(module, tracer, run) : withTracer(tracer, run));
  const outNames = opts.outputNames !== undefined ? [...opts.outputNames] : defaultNames('output', outputs.length);
  if (outNames.length !== outputs.length) {
    throw new OnnxExportError('exportOnnx', `outputNames has ${outNames.length} names for ${outputs.length} outputs`);
  }
  for (const name of Object.keys(dynamic)) {
    if (!inNames.includes(name) && !outNames.includes(name)) {
      throw new OnnxExportError('exportOnnx', `dynamicAxes names '${name}', which is neither an input (${inNames.join(', ')}) nor an output (${outNames.join(', ')})`);
    }
  }

  const b = new GraphBuilder(opset, params);
  for (const name of outNames) b.reserve(name);
  const inputInfos: OnnxValueInfo[] = inputs.map((t, i) => {
    const name = inNames[i]!;
    const axes = dynamic[name] ?? {};
    const dims: Dim[] = t.shape.slice();
    for (const [k, sym] of Object.entries(axes)) {
      const axis = Number(k);
      if (!Number.isInteger(axis) || axis < 0 || axis >= t.ndim) {
        throw new OnnxExportError('exportOnnx', `dynamicAxes['${name}'] names axis ${k}, but input '${name}' has shape [${t.shape.join(',')}]`);
      }
      if (t.shape[axis]! < 2) {
        throw new OnnxExportError('exportOnnx', `dynamic axis ${axis} ('${sym}') of input '${name}' is ${t.shape[axis]} in the example; use an example size of at least 2`);
      }
      dims[axis] = { v: t.shape[axis]!, c: 1, s: [sym] };
    }
    b.input(t, name, dims);
    return { name, dtype: t.dtype, shape: dims.map(GraphBuilder.dimName) };
  });

  for (const n of tracer.nodes) emitNode(b, n);

  const outputInfos: OnnxValueInfo[] = outputs.map((t, i) => {
    const name = outNames[i]!;
    const src = b.nameOf(t);
    const dims = b.dimsOf(t);
    b.add('Identity', [src], {}, 1);
    const node = b.nodes[b.nodes.length - 1]!;
    b.nodes[b.nodes.length - 1] = { ...node, outputs: [name] };
    const axes = dynamic[name] ?? {};
    return { name, dtype: t.dtype, shape: dims.map((d, k) => axes[k] ?? GraphBuilder.dimName(d)) };
  });

  return encodeModel({
    irVersion: irVersion(opset), opset, producerName: 'adjoint', producerVersion: '0.1.0', graphName: 'main_graph',
    nodes: b.nodes, initializers: b.initializers, inputs: inputInfos, outputs: outputInfos,
  });
}
