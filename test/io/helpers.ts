/** Builds safetensors bytes by hand, well-formed or not, for the io tests. */

/** The 8-byte little-endian length prefix, the header text and the data. */
export function build(header: unknown, data: Uint8Array | number = 0, opts: { length?: bigint } = {}): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + text.length + body.length);
  new DataView(out.buffer).setBigUint64(0, opts.length ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(body, 8 + text.length);
  return out;
}

/** Little-endian bytes of float32 values. */
export function f32(...values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** Little-endian bytes of int64 values. */
export function i64(...values: bigint[]): Uint8Array {
  return new Uint8Array(new BigInt64Array(values).buffer);
}

/** The header JSON of safetensors bytes. */
export function headerOf(bytes: Uint8Array): { length: number; text: string; json: Record<string, unknown> } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  return { length, text, json: JSON.parse(text) as Record<string, unknown> };
}
