/**
 * The training lab's page side: the form, the Train / Pause / Step / Reset
 * buttons, the decision-boundary canvas and the loss and accuracy curves. All
 * the training happens in the worker (worker.ts); this file only draws what it
 * reports, so the page stays responsive at any speed.
 */
import { linePlot } from 'adjoint/viz';
import { byId, fmt, h } from '../dom.js';
import {
  ACTIVATIONS, DEFAULT_CONFIG, type ActivationName, type DatasetName, type Grid, type OptimizerName, type PointsData,
  type TrainConfig,
} from './trainer.js';
import type { FromWorker, ToWorker } from './worker.js';

const CLASS_COLORS: readonly [number, number, number][] = [
  [37, 99, 235], // blue
  [234, 88, 12], // orange
  [22, 163, 74], // green
  [147, 51, 234], // purple
  [220, 38, 38], // red
];
const GRID_RES = 56;
const MAX_HISTORY = 600;

const ACTIVATION_LABELS: Record<ActivationName, string> = {
  tanh: 'tanh', relu: 'ReLU', sigmoid: 'sigmoid', gelu: 'GELU', leakyRelu: 'leaky ReLU', linear: 'linear (none)',
};

export function createTrainingLab(): void {
  const form = byId<HTMLFormElement>('train-form');
  const dataset = byId<HTMLSelectElement>('dataset');
  const noise = byId<HTMLInputElement>('noise');
  const noiseOut = byId<HTMLOutputElement>('noise-out');
  const points = byId<HTMLSelectElement>('points');
  const layers = byId<HTMLInputElement>('layers');
  const width = byId<HTMLInputElement>('width');
  const actList = byId('acts').querySelector('.act-list') as HTMLElement;
  const optimizer = byId<HTMLSelectElement>('optimizer');
  const lr = byId<HTMLSelectElement>('lr');
  const batch = byId<HTMLSelectElement>('batch');
  const backend = byId<HTMLSelectElement>('backend');
  const hasGpu = typeof navigator !== 'undefined' && 'gpu' in navigator && navigator.gpu !== undefined;
  const gpuOption = byId<HTMLOptionElement>('backend-webgpu');
  gpuOption.disabled = !hasGpu;
  if (!hasGpu) gpuOption.textContent = 'WebGPU (not in this browser)';
  const toggle = byId<HTMLButtonElement>('train-toggle');
  const stepButton = byId<HTMLButtonElement>('train-step');
  const resetButton = byId<HTMLButtonElement>('train-reset');
  const errorText = byId('train-error');
  const canvas = byId<HTMLCanvasElement>('boundary');
  const summary = byId('net-summary');
  const stat = {
    step: byId('stat-step'),
    epoch: byId('stat-epoch'),
    loss: byId('stat-loss'),
    acc: byId('stat-acc'),
    sps: byId('stat-sps'),
  };
  const lossPlot = byId('loss-plot');
  const accPlot = byId('acc-plot');

  let activations: ActivationName[] = [...DEFAULT_CONFIG.activations];
  let running = false;
  let pts: PointsData | null = null;
  let grid: Grid | null = null;
  let history: { step: number; loss: number; acc: number }[] = [];
  let lastPlotAt = 0;
  let plotTimer = 0;
  let config: TrainConfig = DEFAULT_CONFIG;

  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'adjoint-training' });
  const send = (m: ToWorker): void => worker.postMessage(m);

  function clampInt(el: HTMLInputElement, lo: number, hi: number, fallback: number): number {
    const v = Math.round(Number(el.value));
    return Number.isFinite(v) && el.value.trim() !== '' ? Math.max(lo, Math.min(hi, v)) : fallback;
  }

  function renderActivations(): void {
    const n = clampInt(layers, 0, 4, 2);
    while (activations.length < n) activations.push(activations[activations.length - 1] ?? 'tanh');
    activations = activations.slice(0, n);
    actList.replaceChildren(
      ...activations.map((a, i) => {
        const id = `act-${i}`;
        const select = h('select', { id }, ...ACTIVATIONS.map((name) => h('option', { value: name, selected: name === a }, ACTIVATION_LABELS[name])));
        select.addEventListener('change', () => {
          activations[i] = select.value as ActivationName;
          reset();
        });
        return h('div', { class: 'field act' }, h('label', { for: id }, `Layer ${i + 1}`), select);
      }),
    );
    if (n === 0) actList.replaceChildren(h('p', { class: 'help' }, 'No hidden layer: a linear classifier.'));
  }

  function readConfig(): TrainConfig {
    const n = clampInt(layers, 0, 4, 2);
    const w = clampInt(width, 1, 32, 8);
    return {
      dataset: dataset.value as DatasetName,
      noise: Number(noise.value),
      points: Number(points.value),
      seed: 1,
      hidden: new Array<number>(n).fill(w),
      activations: activations.slice(0, n),
      optimizer: optimizer.value as OptimizerName,
      lr: Number(lr.value),
      batchSize: Number(batch.value),
      backend: backend.value === 'webgpu' && hasGpu ? 'webgpu' : 'cpu',
    };
  }

  function setRunning(on: boolean): void {
    running = on;
    toggle.textContent = on ? 'Pause' : '▶ Train';
    toggle.setAttribute('aria-pressed', String(on));
  }

  function reset(): void {
    config = readConfig();
    history = [];
    grid = null;
    errorText.hidden = true;
    send({ type: 'reset', config, gridRes: GRID_RES });
    if (running) send({ type: 'train' });
  }

  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const msg = e.data;
    if (msg.type === 'error') {
      setRunning(false);
      errorText.textContent = `Training stopped: ${msg.message}`;
      errorText.hidden = false;
      return;
    }
    if (msg.type === 'ready') {
      pts = msg.points;
      const sizes = [2, ...msg.config.hidden, msg.points.classes];
      summary.textContent = `MLP ${sizes.join(' → ')} · ${msg.parameters} parameters · ${msg.points.xy.length / 2} points, ${msg.points.classes} classes`;
      draw();
      return;
    }
    if (msg.grid !== null) grid = msg.grid;
    const last = history[history.length - 1];
    if (last === undefined || last.step !== msg.steps) history.push({ step: msg.steps, loss: msg.metrics.loss, acc: msg.metrics.accuracy });
    if (history.length > MAX_HISTORY) history = history.filter((_, i) => i % 2 === 0 || i === history.length - 1);
    stat.step.textContent = String(msg.steps);
    stat.epoch.textContent = fmt((msg.steps * config.batchSize) / config.points, 1);
    stat.loss.textContent = msg.metrics.loss < 1e-3 ? msg.metrics.loss.toExponential(1) : msg.metrics.loss.toFixed(4);
    stat.acc.textContent = `${(msg.metrics.accuracy * 100).toFixed(1)}%`;
    stat.acc.dataset.value = String(msg.metrics.accuracy);
    stat.sps.textContent = msg.running ? Math.round(msg.stepsPerSecond).toLocaleString('en-US') : '0';
    if (msg.grid !== null) draw();
    schedulePlots();
  };
  worker.onerror = (e) => {
    setRunning(false);
    errorText.textContent = `The training worker failed: ${e.message}`;
    errorText.hidden = false;
  };

  // ---- drawing ------------------------------------------------------------------

  function draw(): void {
    const size = Math.round(canvas.clientWidth * (window.devicePixelRatio || 1)) || 480;
    if (canvas.width !== size) {
      canvas.width = size;
      canvas.height = size;
    }
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, size, size);
    if (pts === null) return;
    const [x0, x1, y0, y1] = pts.bounds;
    if (grid !== null) {
      const { res, classes, probs } = grid;
      const img = new ImageData(res, res);
      for (let i = 0; i < res * res; i++) {
        let best = 0;
        for (let k = 1; k < classes; k++) if (probs[i * classes + k]! > probs[i * classes + best]!) best = k;
        const p = probs[i * classes + best]!;
        const conf = classes > 1 ? Math.max(0, (p - 1 / classes) / (1 - 1 / classes)) : 1;
        const a = 0.1 + 0.42 * conf;
        const c = CLASS_COLORS[best % CLASS_COLORS.length]!;
        img.data[4 * i] = Math.round(255 * (1 - a) + c[0] * a);
        img.data[4 * i + 1] = Math.round(255 * (1 - a) + c[1] * a);
        img.data[4 * i + 2] = Math.round(255 * (1 - a) + c[2] * a);
        img.data[4 * i + 3] = 255;
      }
      const off = document.createElement('canvas');
      off.width = res;
      off.height = res;
      off.getContext('2d')!.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(off, 0, 0, size, size);
    }
    const r = Math.max(3, size / 110);
    ctx.lineWidth = Math.max(1, size / 400);
    for (let i = 0; i < pts.labels.length; i++) {
      const px = ((pts.xy[2 * i]! - x0) / (x1 - x0)) * size;
      const py = ((y1 - pts.xy[2 * i + 1]!) / (y1 - y0)) * size;
      const c = CLASS_COLORS[pts.labels[i]! % CLASS_COLORS.length]!;
      ctx.beginPath();
      ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
      ctx.fill();
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
    }
  }

  function schedulePlots(): void {
    const wait = 250 - (performance.now() - lastPlotAt);
    if (wait <= 0) plots();
    else if (plotTimer === 0) plotTimer = window.setTimeout(plots, wait);
  }

  function plots(): void {
    plotTimer = 0;
    lastPlotAt = performance.now();
    if (history.length < 2) {
      lossPlot.replaceChildren(h('p', { class: 'placeholder' }, 'The loss curve appears once training starts.'));
      accPlot.replaceChildren();
      return;
    }
    const steps = history.map((p) => p.step);
    const w = Math.max(280, Math.round(lossPlot.clientWidth || 360));
    lossPlot.innerHTML = linePlot({
      series: [{ x: steps, y: history.map((p) => p.loss), label: 'loss (whole dataset)', color: '#dc2626' }],
      title: 'Loss', xLabel: 'step', logY: true, width: w, height: 210, legend: 'none',
    });
    accPlot.innerHTML = linePlot({
      series: [{ x: steps, y: history.map((p) => p.acc * 100), label: 'accuracy %', color: '#2563eb' }],
      title: 'Accuracy (%)', xLabel: 'step', width: w, height: 200, legend: 'none',
    });
  }

  // ---- wiring -------------------------------------------------------------------

  noise.addEventListener('input', () => {
    noiseOut.textContent = Number(noise.value).toFixed(2);
  });
  for (const el of [dataset, noise, points, optimizer, backend]) el.addEventListener('change', reset);
  for (const el of [layers, width]) {
    el.addEventListener('change', () => {
      renderActivations();
      reset();
    });
  }
  lr.addEventListener('change', () => {
    config = { ...config, lr: Number(lr.value) };
    send({ type: 'set', lr: Number(lr.value) });
  });
  batch.addEventListener('change', () => {
    config = { ...config, batchSize: Number(batch.value) };
    send({ type: 'set', batchSize: Number(batch.value) });
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  toggle.addEventListener('click', () => {
    setRunning(!running);
    send({ type: running ? 'train' : 'pause' });
  });
  stepButton.addEventListener('click', () => {
    setRunning(false);
    send({ type: 'step' });
  });
  resetButton.addEventListener('click', () => {
    setRunning(false);
    reset();
  });
  new ResizeObserver(() => {
    draw();
    schedulePlots();
  }).observe(canvas);

  renderActivations();
  setRunning(false);
  reset();
  plots();
}
