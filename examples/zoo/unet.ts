/**
 * A U-Net: two downsampling stages (max pooling, then conv + group norm +
 * ReLU twice), two upsampling stages — bilinear `Upsample` on the deepest,
 * a learned `ConvTranspose2d` on the next — each concatenated (`cat`) with
 * the encoder's features at that resolution, and a 1x1 conv to per-pixel
 * class logits. Ported from `UNet` in tools/goldens/zoo.py; the keys are
 * PyTorch's (`down1.1.3.weight`, `up2.bias`...).
 *
 *   const model = build();
 *   const logits = model.forward(randn([2, 1, 8, 8])); // [2, 2, 8, 8]
 */
import { type Tensor, cat } from 'adjoint';
import * as nn from 'adjoint/nn';

/** (3x3 conv → GroupNorm(2) → ReLU) twice. */
export class DoubleConv extends nn.Sequential {
  constructor(inChannels: number, outChannels: number) {
    super(
      new nn.Conv2d(inChannels, outChannels, 3, { padding: 1 }), new nn.GroupNorm(2, outChannels), new nn.ReLU(),
      new nn.Conv2d(outChannels, outChannels, 3, { padding: 1 }), new nn.GroupNorm(2, outChannels), new nn.ReLU(),
    );
  }
}

/** Images `[N, inChannels, H, W]` (H and W divisible by 4) to logits `[N, numClasses, H, W]`. */
export class UNet extends nn.Module {
  inc: DoubleConv;
  down1: nn.Sequential;
  down2: nn.Sequential;
  up1: nn.Upsample;
  conv1: DoubleConv;
  up2: nn.ConvTranspose2d;
  conv2: DoubleConv;
  outc: nn.Conv2d;

  constructor(inChannels = 1, numClasses = 2, width = 4) {
    super();
    this.inc = new DoubleConv(inChannels, width);
    this.down1 = new nn.Sequential(new nn.MaxPool2d(2), new DoubleConv(width, 2 * width));
    this.down2 = new nn.Sequential(new nn.MaxPool2d(2), new DoubleConv(2 * width, 2 * width));
    this.up1 = new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true });
    this.conv1 = new DoubleConv(4 * width, width);
    this.up2 = new nn.ConvTranspose2d(width, width, 2, { stride: 2 });
    this.conv2 = new DoubleConv(2 * width, width);
    this.outc = new nn.Conv2d(width, numClasses, 1);
  }

  forward(x: Tensor): Tensor {
    const x1 = this.inc.forward(x);
    const x2 = this.down1.forward(x1);
    const x3 = this.down2.forward(x2);
    x = this.conv1.forward(cat([x2, this.up1.forward(x3)], 1));
    x = this.conv2.forward(cat([x1, this.up2.forward(x)], 1));
    return this.outc.forward(x);
  }
}

/**
 * The zoo's configuration: 1 input channel, 2 classes, width 4 (3,594 parameters).
 *
 * @example
 * const model = build();
 * F.crossEntropy(model.forward(images), masks).backward(); // masks int32 [N, H, W]
 */
export function build(): UNet {
  return new UNet();
}
