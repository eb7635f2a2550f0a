import { AdjointError } from '../errors.js';

/**
 * A safetensors file that cannot be read (truncated, a bad header, offsets
 * outside the data or overlapping, an unsupported dtype...) or tensors that
 * cannot be written. The message names the tensor and what was expected.
 *
 * @example
 * try { loadSafetensors(new Uint8Array(3)); }
 * catch (e) { if (e instanceof SafetensorsError) console.log(e.message); } // loadSafetensors: file is 3 bytes, ...
 */
export class SafetensorsError extends AdjointError {}

/**
 * A model or function that cannot be exported to ONNX: an op without an ONNX
 * counterpart (the message names the op and where it was traced: the module
 * path such as `features.3`, or the caller's frame), bad options, or a
 * dynamic dim the graph cannot carry.
 *
 * @example
 * try { exportOnnx(model, [x]); }
 * catch (e) { if (e instanceof OnnxExportError) console.log(e.message); } // exportOnnx: 'im2col' ... at features.3 (Unfold)
 */
export class OnnxExportError extends AdjointError {}
