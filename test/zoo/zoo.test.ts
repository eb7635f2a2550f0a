/**
 * The model zoo on the CPU backends: six models written once in PyTorch
 * (tools/goldens/zoo.py) and once in adjoint (examples/zoo/), PyTorch's
 * initial weights loaded by `loadStateDict`; output, loss, every parameter's
 * gradient and three optimizer steps equal PyTorch's, in float64 (1e-9
 * relative) and float32 (1e-4), with `setBackend('js')` and
 * `setBackend('wasm')`. See harness.ts for what is compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, ones, setBackend, tril, triu, type BackendName } from 'adjoint';
import { build as gptBuild } from '../../examples/zoo/gpt.js';
import { CASES } from './cases.js';
import { checkForwardBackward, checkTraining, loadGolden } from './harness.js';

const BACKENDS: BackendName[] = ['js', 'wasm'];

describe.each(BACKENDS)('model zoo on %s', (backend) => {
  let before: BackendName;
  beforeAll(() => {
    before = getBackend();
    setBackend(backend);
  });
  afterAll(() => setBackend(before));

  it(`runs on ${backend}`, () => expect(getBackend()).toBe(backend));

  for (const c of CASES) {
    describe.each(['float64', 'float32'] as const)(`${c.label} in %s`, (dtype) => {
      it('forward, loss and every gradient match PyTorch', async () => {
        await checkForwardBackward(c, loadGolden(c.fixture), { backend, dtype });
      });
      it('three optimizer steps match torch.optim', async () => {
        await checkTraining(c, loadGolden(c.fixture), { backend, dtype });
      });
    });
  }
});

describe('what porting the zoo fixed in the library', () => {
  it('keeps tied weights tied through module.to(dtype) and module.to(backend), as PyTorch', () => {
    const model = gptBuild();
    const count = model.parameters().length;
    for (const target of ['float64', 'wasm', 'js'] as const) {
      model.to(target);
      expect(model.wte.weight, `after to('${target}')`).toBe(model.lm_head.weight);
      expect(model.parameters().length).toBe(count);
    }
    expect(model.wte.weight.dtype).toBe('float64');
  });

  it('triu and tril of a bool tensor stay bool, as PyTorch (a causal mask for maskedFill)', () => {
    const mask = triu(ones([3, 3], { dtype: 'bool' }), 1);
    expect(mask.dtype).toBe('bool');
    expect(mask.toArray()).toEqual([[false, true, true], [false, false, true], [false, false, false]]);
    expect(tril(ones([2, 2], { dtype: 'bool' })).toArray()).toEqual([[true, false], [true, true]]);
    expect(triu(ones([2, 2], { dtype: 'int32' })).dtype).toBe('int32');
  });

});
