/**
 * 28.6 From Micrograd to PyTorch: the chapter's side-by-side example,
 * z = x·y + relu(x²) at (2, 3), run on `Value`, with the PyTorch lines it mirrors.
 */
import { Value } from '../../scalar/index.js';
import { formatTable } from '../writer.js';
import type { TourContext } from './context.js';

/** What {@link toPyTorch} computed. */
export interface PyTorchResult {
  z: number;
  /** dz/dx = y + 2x = 7. */
  dx: number;
  /** dz/dy = x = 2. */
  dy: number;
}

/**
 * Runs section 28.6.
 *
 * @example
 * toPyTorch(ctx); // { z: 10, dx: 7, dy: 2 }
 */
export function toPyTorch(ctx: TourContext): PyTorchResult {
  const { out } = ctx;
  out.heading('28.6 From Micrograd to PyTorch');
  out.line('Same algorithm (reverse mode over a graph built while the code runs), same API:');
  out.line();
  const x = new Value(2);
  const y = new Value(3);
  const z = x.mul(y).add(x.pow(2).relu());
  z.backward();
  const rows = [
    ['const x = new Value(2);', 'x = torch.tensor(2.0, requires_grad=True)'],
    ['const y = new Value(3);', 'y = torch.tensor(3.0, requires_grad=True)'],
    ['const z = x.mul(y).add(x.pow(2).relu());', 'z = x * y + (x ** 2).relu()'],
    ['z.backward();', 'z.backward()'],
    [`x.grad  // ${x.grad}`, 'x.grad  # tensor(7.)'],
    [`y.grad  // ${y.grad}`, 'y.grad  # tensor(2.)'],
  ];
  out.lines(formatTable(['adjoint (TypeScript)', 'PyTorch'], rows, ['l', 'l']));
  out.line();
  out.line(`z = ${z.data}, dz/dx = ${x.grad} (y + 2x), dz/dy = ${y.grad} (x).`);
  out.line('PyTorch runs the same sweep on tensors, in C++/CUDA; adjoint\'s tensor engine is next.');
  return { z: z.data, dx: x.grad, dy: y.grad };
}
