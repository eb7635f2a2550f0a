// adjoint's `webgpu` backend with the G4 and G6 steps under `compile` (see compiledWorkloads in adjoint.mjs).
export { version, setup, compiledWorkloads as workloads } from "./adjoint.mjs";
