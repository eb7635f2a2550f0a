/**
 * `functionalCall` (torch.func.functional_call): runs a module with some or
 * all of its parameters and buffers replaced by given tensors, so that a
 * module becomes a function of its weights for `grad`, `vmap`, `jacrev`...
 */
import { RangeArgError } from '../errors.js';
import { Tensor } from '../tensor/index.js';
import { Module, type AnyModule } from './module.js';

/** Every module under `root` by its dotted name (`''` for `root`). */
function modulesByName(root: AnyModule): Map<string, AnyModule> {
  const out = new Map<string, AnyModule>([['', root]]);
  const stack: [string, AnyModule][] = [['', root]];
  while (stack.length > 0) {
    const [prefix, m] = stack.pop()!;
    for (const [name, child] of m.namedChildren()) {
      const full = prefix === '' ? name : `${prefix}.${name}`;
      if (!out.has(full)) {
        out.set(full, child);
        stack.push([full, child]);
      }
    }
  }
  return out;
}

/**
 * Calls `module.forward(...args)` with the parameters and buffers named in
 * `params` (keys as `namedParameters()` / `namedBuffers()` name them)
 * replaced by the given tensors; the others are the module's own. The module
 * is restored afterwards, also when `forward` throws.
 *
 * @example
 * const net = new nn.Sequential(new nn.Linear(3, 8), new nn.Tanh(), new nn.Linear(8, 1));
 * const params = Object.fromEntries(net.namedParameters().map(([n, p]) => [n, p.detach()]));
 * const loss = (ps: Record<string, Tensor>, x: Tensor, y: Tensor) => functionalCall(net, ps, x).sub(y).square().sum();
 * const perSample = vmap(grad(loss), { inDims: [null, 0, 0] })(params, xs, ys); // { '0.weight': [B, 8, 3], ... }
 */
export function functionalCall<Args extends unknown[], Out>(
  module: Module<Args, Out>,
  params: Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>,
  ...args: Args
): Out {
  const entries = params instanceof Map ? [...params] : Object.entries(params as Record<string, Tensor>);
  const known = new Map<string, Tensor>([...module.namedParameters(), ...module.namedBuffers()]);
  const mods = modulesByName(module as AnyModule);
  const swapped: [AnyModule, string, Tensor][] = [];
  try {
    for (const [key, value] of entries) {
      const old = known.get(key);
      if (old === undefined) {
        const names = [...known.keys()];
        throw new RangeArgError('functionalCall', `'${key}' is not a parameter or buffer of the module (its names: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''})`);
      }
      if (!(value instanceof Tensor)) throw new RangeArgError('functionalCall', `params['${key}'] must be a Tensor, got ${typeof value}`);
      const dot = key.lastIndexOf('.');
      const owner = mods.get(dot < 0 ? '' : key.slice(0, dot))!;
      const leaf = key.slice(dot + 1);
      owner._setMember(leaf, value);
      swapped.push([owner, leaf, old]);
    }
    return module.forward(...args);
  } finally {
    for (let i = swapped.length - 1; i >= 0; i--) {
      const [owner, leaf, old] = swapped[i]!;
      owner._setMember(leaf, old);
    }
  }
}
