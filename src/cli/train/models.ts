/**
 * The models `adjoint train` builds: an MLP for any dataset and a small CNN
 * for the 8x8 digits, both plain `Sequential`s (so their state dicts have
 * PyTorch's names and load into the same model built in PyTorch).
 */
import {
  BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential, Tanh, type TensorModule,
} from '../../nn/index.js';
import type { Activation } from './config.js';

/**
 * `Linear → act → ... → Linear`: `hidden` widths between `inputs` and `classes`.
 *
 * @example
 * String(mlp(2, [16], 2, 'tanh'));
 * // Sequential(
 * //   (0): Linear(in_features=2, out_features=16, bias=True)
 * //   (1): Tanh()
 * //   (2): Linear(in_features=16, out_features=2, bias=True)
 * // )
 */
export function mlp(inputs: number, hidden: readonly number[], classes: number, activation: Activation): Sequential {
  const layers: TensorModule[] = [];
  let width = inputs;
  for (const h of hidden) {
    layers.push(new Linear(width, h), activation === 'tanh' ? new Tanh() : new ReLU());
    width = h;
  }
  layers.push(new Linear(width, classes));
  return new Sequential(...layers);
}

/**
 * The digits CNN for `[N, 1, 8, 8]` images: two 3x3 convolutions (32
 * channels) with batch norm, 2x2 max pooling, a 64-channel convolution, pooling
 * again, dropout and a linear classifier (30,890 parameters).
 *
 * @example
 * digitsCnn().forward(randn([4, 1, 8, 8])).shape; // [4, 10]
 */
export function digitsCnn(classes = 10): Sequential {
  const block = (cin: number, cout: number): TensorModule[] => [new Conv2d(cin, cout, 3, { padding: 1 }), new BatchNorm2d(cout), new ReLU()];
  return new Sequential(
    ...block(1, 32), ...block(32, 32), new MaxPool2d(2), // [N, 32, 4, 4]
    ...block(32, 64), new MaxPool2d(2), // [N, 64, 2, 2]
    new Flatten(), new Dropout(0.3), new Linear(256, classes),
  );
}
