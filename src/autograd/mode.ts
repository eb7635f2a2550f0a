/**
 * Global modes: grad recording (`noGrad`, `enableGrad`) and anomaly
 * detection (`detectAnomaly`). The functions passed run synchronously.
 */

let gradEnabled = true;
let anomaly = false;

/** Whether ops on tensors requiring grad record the backward graph. @example isGradEnabled(); */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Whether anomaly detection is on. @example isAnomalyEnabled(); */
export function isAnomalyEnabled(): boolean {
  return anomaly;
}

/**
 * Runs `fn` with grad recording set to `enabled`, restoring the previous mode after.
 *
 * @example
 * withGradMode(false, () => x.mul(2)); // not recorded
 */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs `fn` without recording the backward graph (results do not require grad).
 *
 * @example
 * const y = noGrad(() => w.mul(2)); // y.requiresGrad === false
 * noGrad(() => w.sub_(w.grad!.mul(0.1))); // an SGD step on a leaf
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/**
 * Runs `fn` with grad recording on (inside `noGrad`, for example).
 *
 * @example
 * noGrad(() => enableGrad(() => x.mul(2))).requiresGrad; // true if x requires grad
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/**
 * Runs `fn` with anomaly detection: every recorded op remembers the stack where
 * it was created, and a backward step that produces NaN throws an
 * `AutogradError` naming the forward op and that stack.
 *
 * @example
 * detectAnomaly(() => {
 *   const y = x.sqrt(); // x = 0 somewhere: d sqrt = inf, times 0 → NaN
 *   y.mul(0).sum().backward(); // AutogradError: SqrtBackward: ... created at ...
 * });
 */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = anomaly;
  anomaly = true;
  try {
    return fn();
  } finally {
    anomaly = prev;
  }
}
