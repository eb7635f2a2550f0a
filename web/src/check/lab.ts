/**
 * The gradient check lab: the chapter's first figure made interactive. Pick a
 * function of x and a point; the table compares the exact derivative (a closed
 * form you can edit) with forward mode (`Dual`), reverse mode (`Value`) and
 * finite differences, and the log-log plot shows the finite-difference error
 * against the step size h (`errorVsStep` of `adjoint/check`, drawn by `linePlot`).
 */
import { errorVsStep, finiteDifference, logspace } from 'adjoint/check';
import {
  ExpressionSyntaxError, Value, evaluate, evaluateDual, parseExpression, variables, type ExprNode,
} from 'adjoint/scalar';
import { COLORS, linePlot } from 'adjoint/viz';
import { byId, fmt, h, hideError, sci, showCaretError } from '../dom.js';

interface Preset {
  name: string;
  f: string;
  df: string;
  x: number;
}

const PRESETS: readonly Preset[] = [
  { name: 'x² sin x (the chapter’s figure)', f: 'x^2 * sin(x)', df: '2*x*sin(x) + x^2*cos(x)', x: 2 },
  { name: 'x³ log x + e⁻ˣ', f: 'x^3 * log(x) + exp(-x)', df: '3*x^2*log(x) + x^2 - exp(-x)', x: 1.5 },
  { name: 'eˣ', f: 'exp(x)', df: 'exp(x)', x: 1 },
  { name: 'tanh x', f: 'tanh(x)', df: '1 - tanh(x)^2', x: 0.5 },
  { name: 'σ(3x)', f: 'sigmoid(3*x)', df: '3 * sigmoid(3*x) * (1 - sigmoid(3*x))', x: 0.2 },
  { name: '√x near 0', f: 'sqrt(x)', df: '0.5 / sqrt(x)', x: 0.01 },
  { name: 'Runge 1/(1 + 25x²)', f: '1 / (1 + 25*x^2)', df: '-50*x / (1 + 25*x^2)^2', x: 0.3 },
  { name: 'sin(1/x), fast oscillation', f: 'sin(1/x)', df: '-cos(1/x) / x^2', x: 0.05 },
];

/** Parses an expression of x alone; the error says what is wrong and where. */
function parseOfX(text: string): ExprNode {
  const ast = parseExpression(text);
  const others = variables(ast).filter((v) => v !== 'x');
  if (others.length > 0) throw new Error(`only the variable x may appear; found ${others.join(', ')}`);
  return ast;
}

export function createCheckLab(): void {
  const preset = byId<HTMLSelectElement>('preset');
  const fInput = byId<HTMLInputElement>('check-f');
  const dfInput = byId<HTMLInputElement>('check-df');
  const xInput = byId<HTMLInputElement>('check-x');
  const hInput = byId<HTMLInputElement>('check-h');
  const hOut = byId<HTMLOutputElement>('check-h-out');
  const errorBox = byId('check-error');
  const tbody = byId('check-table').querySelector('tbody')!;
  const plot = byId('check-plot');
  const title = byId('check-title');

  preset.replaceChildren(
    ...PRESETS.map((p, i) => h('option', { value: String(i) }, p.name)),
    h('option', { value: 'custom' }, 'Custom (edit the fields)'),
  );

  function load(i: number): void {
    const p = PRESETS[i]!;
    fInput.value = p.f;
    dfInput.value = p.df;
    xInput.value = String(p.x);
    update();
  }

  function fail(input: HTMLInputElement, e: unknown): void {
    input.setAttribute('aria-invalid', 'true');
    const label = input === fInput ? 'f(x)' : 'f′(x)';
    if (e instanceof ExpressionSyntaxError) {
      showCaretError(errorBox, input.value, `${label}: syntax error: ${e.detail} (column ${e.position + 1}).`, e.position, e.end);
    } else {
      showCaretError(errorBox, input.value, `${label}: ${e instanceof Error ? e.message : String(e)}`, null);
    }
  }

  function update(): void {
    const hExp = Number(hInput.value);
    const hStep = 10 ** hExp;
    hOut.textContent = `1e${hExp}`;
    let fAst: ExprNode;
    let dfAst: ExprNode | null = null;
    fInput.removeAttribute('aria-invalid');
    dfInput.removeAttribute('aria-invalid');
    try {
      fAst = parseOfX(fInput.value);
    } catch (e) {
      fail(fInput, e);
      return;
    }
    try {
      if (dfInput.value.trim() !== '') dfAst = parseOfX(dfInput.value);
    } catch (e) {
      fail(dfInput, e);
      return;
    }
    const x = Number(xInput.value);
    if (xInput.value.trim() === '' || !Number.isFinite(x)) {
      xInput.setAttribute('aria-invalid', 'true');
      showCaretError(errorBox, xInput.value, 'x must be a number.', null);
      return;
    }
    xInput.removeAttribute('aria-invalid');
    hideError(errorBox);
    title.textContent = `Derivatives at x = ${x}`;

    const f = (t: number): number => evaluate(fAst, { x: t }).data;
    const exact = dfAst === null ? null : evaluate(dfAst, { x }).data;
    const forward = evaluateDual(fAst, { x }, 'x').tangent;
    const leaf = new Value(x, 'x');
    evaluate(fAst, { x: leaf }).backward();
    const reverse = leaf.grad;
    const reference = exact ?? reverse;
    const refName = exact === null ? 'reverse mode' : 'exact';

    const hs = logspace(-16, 0, 97);
    const central = errorVsStep(f, reference, x, hs);
    const forwardDiff = hs.map((s) => Math.abs(finiteDifference(f, x, { h: s, method: 'forward' }) - reference));
    let best = central[0]!;
    for (const r of central) if (Number.isFinite(r.error) && (r.error < best.error || !Number.isFinite(best.error))) best = r;

    const cd = finiteDifference(f, x, { h: hStep });
    const fd = finiteDifference(f, x, { h: hStep, method: 'forward' });
    const err = (v: number): string => sci(Math.abs(v - reference));
    const row = (id: string, method: string, value: number | null, error: string): HTMLTableRowElement =>
      h('tr', { 'data-testid': id },
        h('th', { scope: 'row' }, method),
        h('td', { class: 'num', 'data-value': value ?? '' }, value === null ? '—' : fmt(value, 12)),
        h('td', { class: 'num' }, error));
    tbody.replaceChildren(
      row('exact', 'Exact (closed form f′)', exact, exact === null ? 'no closed form given' : '—'),
      row('forward-mode', 'Forward mode (Dual, 1 pass)', forward, exact === null ? '—' : err(forward)),
      row('reverse-mode', 'Reverse mode (Value.backward)', reverse, exact === null ? 'reference' : err(reverse)),
      row('central', `Central difference, h = 1e${hExp}`, cd, err(cd)),
      row('forward-diff', `Forward difference, h = 1e${hExp}`, fd, err(fd)),
      row('best', `Best central difference (h ≈ ${sci(best.h)})`, best.numerical, sci(best.error)),
    );

    const w = Math.max(300, Math.round(plot.clientWidth || 720));
    const narrow = w < 520; // phones: the legend goes under the plot, not over the V
    plot.innerHTML = linePlot({
      series: [
        { x: hs, y: central.map((r) => r.error), label: 'central difference, O(h²)', color: COLORS.blue, marker: 'o' },
        { x: hs, y: forwardDiff, label: 'forward difference, O(h)', color: COLORS.orange, dashed: true },
      ],
      title: narrow ? `|FD − ${refName} f′| at x = ${x}` : `|finite difference − ${refName} f′| at x = ${x}`,
      xLabel: 'step size h',
      yLabel: 'absolute error',
      logX: true,
      logY: true,
      vlines: [{ x: hStep, label: `h = 1e${hExp} (table)`, color: '#64748b' }],
      annotations: Number.isFinite(best.error) && best.error > 0
        ? [{ x: best.h, y: best.error, text: `best ≈ ${sci(best.error)}`, color: COLORS.blue }]
        : [],
      width: w,
      legend: narrow ? 'none' : 'best',
      height: Math.round(Math.min(460, Math.max(narrow ? 360 : 300, w * 0.55))),
    });
    if (narrow) {
      plot.append(h('p', { class: 'help plot-key' },
        h('span', { style: `color:${COLORS.blue}` }, '● central difference, O(h²)'), ' ',
        h('span', { style: `color:${COLORS.orange}` }, '- - forward difference, O(h)'), ' ',
        h('span', {}, `┆ h = 1e${hExp} (table)`)));
    }
  }

  let debounce = 0;
  const later = (): void => {
    preset.value = 'custom';
    window.clearTimeout(debounce);
    debounce = window.setTimeout(update, 200);
  };
  preset.addEventListener('change', () => {
    if (preset.value !== 'custom') load(Number(preset.value));
  });
  fInput.addEventListener('input', later);
  dfInput.addEventListener('input', later);
  xInput.addEventListener('input', () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(update, 150);
  });
  hInput.addEventListener('input', update);
  byId('check-form').addEventListener('submit', (e) => {
    e.preventDefault();
    update();
  });
  let lastWidth = 0;
  new ResizeObserver(() => {
    if (Math.abs(plot.clientWidth - lastWidth) > 20) {
      lastWidth = plot.clientWidth;
      update();
    }
  }).observe(plot);
  load(0);
}
