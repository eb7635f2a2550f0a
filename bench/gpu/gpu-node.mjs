// WebGPU for the peers in Node: Dawn's `webgpu` package as `navigator.gpu` (jax-js also reads
// `navigator.userAgent`). adjoint needs none of this: `initWebGPU()` loads the package itself.
export async function nodeNavigator() {
  if (globalThis.navigator?.gpu) return globalThis.navigator.gpu;
  const { create, globals } = await import("webgpu");
  for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) globalThis[k] = v;
  const gpu = create([]);
  Object.defineProperty(globalThis, "navigator", { value: { userAgent: "node", gpu }, configurable: true });
  return gpu;
}

/** The adapter's description, for the results table. */
export async function adapterInfo() {
  const gpu = await nodeNavigator();
  const a = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!a) return { vendor: "none" };
  const i = a.info;
  return { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description };
}
