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
