/**
 * A ResNet-style CNN: a stem, two residual stages of `BasicBlock`s (the
 * second one strided, with a 1x1 projection shortcut), global average pooling
 * and a linear classifier. Ported line by line from `ResNet` in
 * tools/goldens/zoo.py (torchvision's block, narrowed); the state-dict keys
 * are PyTorch's (`layer2.0.downsample.1.running_var`...).
 *
 *   import { build } from './examples/zoo/resnet.js';
 *   const model = build();
 *   const logits = model.forward(randn([4, 3, 8, 8])); // [4, 10]
 */
import { type Tensor, flatten } from 'adjoint';
import * as nn from 'adjoint/nn';
import * as F from 'adjoint/nn/functional';

/** Two 3x3 conv + batch norm layers around a shortcut (a 1x1 conv + batch norm when the shape changes). */
export class BasicBlock extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  downsample: nn.Sequential | null = null;

  constructor(inPlanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = new nn.Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(planes);
    this.conv2 = new nn.Conv2d(planes, planes, 3, { padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(planes);
    if (stride !== 1 || inPlanes !== planes) {
      this.downsample = new nn.Sequential(new nn.Conv2d(inPlanes, planes, 1, { stride, bias: false }), new nn.BatchNorm2d(planes));
    }
  }

  forward(x: Tensor): Tensor {
    const identity = this.downsample === null ? x : this.downsample.forward(x);
    let out = F.relu(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    return F.relu(out.add(identity));
  }
}

/** The network: `[N, 3, H, W]` images to `[N, numClasses]` logits. */
export class ResNet extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear;

  constructor(numClasses = 10, width = 8) {
    super();
    this.conv1 = new nn.Conv2d(3, width, 3, { padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(width);
    this.layer1 = new nn.Sequential(new BasicBlock(width, width));
    this.layer2 = new nn.Sequential(new BasicBlock(width, 2 * width, 2));
    this.fc = new nn.Linear(2 * width, numClasses);
  }

  forward(x: Tensor): Tensor {
    x = F.relu(this.bn1.forward(this.conv1.forward(x)));
    x = this.layer2.forward(this.layer1.forward(x));
    x = flatten(this.avgpool.forward(x), 1);
    return this.fc.forward(x);
  }
}

/**
 * The zoo's configuration (that of tools/goldens/zoo.py): 10 classes, width 8, 5,266 parameters.
 *
 * @example
 * const model = build();
 * F.crossEntropy(model.forward(images), labels).backward();
 */
export function build(): ResNet {
  return new ResNet();
}
