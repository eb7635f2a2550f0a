/** `compile`: trace a function once per input signature, replay it as one fused program. */
export { compile, type CompileOptions } from './compile.js';
export { GraphBreakError } from './errors.js';
