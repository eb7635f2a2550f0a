/**
 * The graph lab: type an expression, set its variables, see the engine's graph
 * laid out by Graphviz (loaded lazily, the first time a graph is drawn), and step
 * through the forward pass and the reverse pass node by node — or through one
 * forward-mode (dual number) pass — while the chapter's tables grow beside it.
 */
import { ExpressionSyntaxError, parseExpression, variables } from 'adjoint/scalar';
import { renderSvg } from 'adjoint/viz';
import { byId, fmt, h, hideError, showCaretError } from '../dom.js';
import { modelToDot } from './dot.js';
import { buildGraph, type GraphModel } from './model.js';

type Mode = 'reverse' | 'forward';

const DEFAULTS: Record<string, number> = { x: 2, y: 3, w: 0.5, b: -0.3, a: 1.5 };

interface Drawn {
  model: GraphModel;
  nodes: { group: SVGGElement; texts: SVGTextElement[] }[];
  edges: SVGGElement[];
}

export function createGraphLab(): void {
  const input = byId<HTMLInputElement>('expr');
  const errorBox = byId('expr-error');
  const varList = byId('vars').querySelector('.var-list') as HTMLElement;
  const seedSelect = byId<HTMLSelectElement>('seed');
  const graphBox = byId('graph-svg');
  const gradientBox = byId('gradient');
  const status = byId('step-status');
  const fwdBody = byId('fwd-table').querySelector('tbody')!;
  const adjTable = byId('adj-table');
  const adjTitle = byId('adj-title');
  const countsBody = byId('counts-table').querySelector('tbody')!;
  const countsNote = byId('counts-note');
  const buttons = {
    reset: byId<HTMLButtonElement>('step-reset'),
    back: byId<HTMLButtonElement>('step-back'),
    next: byId<HTMLButtonElement>('step-next'),
    end: byId<HTMLButtonElement>('step-end'),
  };

  const values: Record<string, number> = {};
  let model: GraphModel | null = null;
  let drawn: Drawn | null = null;
  let mode: Mode = 'reverse';
  let seed = '';
  let step = 0;
  let renderToken = 0;
  let layouts: { LR: string; TB: string } | null = null;
  let rankdir: 'LR' | 'TB' = 'LR';

  /** The natural size (px) of a Graphviz SVG, from its pt width and height. */
  function naturalSize(svg: string): { w: number; h: number } {
    const w = /<svg[^>]*\swidth="([\d.]+)pt"/.exec(svg);
    const ht = /<svg[^>]*\sheight="([\d.]+)pt"/.exec(svg);
    return { w: w ? (Number(w[1]) * 4) / 3 : 1, h: ht ? (Number(ht[1]) * 4) / 3 : 1 };
  }

  /**
   * Left to right unless that shrinks the text a lot and top to bottom shrinks it
   * less (phones, long chains); a tall graph scrolls with the page.
   */
  function pickLayout(): 'LR' | 'TB' {
    if (layouts === null) return 'LR';
    const width = graphBox.clientWidth || 800;
    const scale = (svg: string): number => Math.min(1, width / naturalSize(svg).w);
    const lr = scale(layouts.LR);
    return lr < 0.8 && scale(layouts.TB) > lr * 1.15 ? 'TB' : 'LR';
  }

  const total = (): number => (model === null ? 0 : mode === 'reverse' ? 2 * model.nodes.length : model.nodes.length);

  // ---- expression and variables -------------------------------------------------

  function syncVariables(names: readonly string[]): void {
    for (const name of names) {
      if (!(name in values)) values[name] = DEFAULTS[name] ?? 1;
    }
    const existing = new Map<string, HTMLElement>();
    for (const el of Array.from(varList.children) as HTMLElement[]) existing.set(el.dataset.name!, el);
    varList.replaceChildren(
      ...names.map((name) => {
        const old = existing.get(name);
        if (old !== undefined) return old;
        const id = `var-${name}`;
        const field = h('input', { id, type: 'number', step: '0.1', value: String(values[name]), inputmode: 'decimal', 'aria-label': `value of ${name}` });
        field.addEventListener('input', () => {
          const v = Number(field.value);
          if (field.value.trim() === '' || !Number.isFinite(v)) {
            field.setAttribute('aria-invalid', 'true');
            return;
          }
          field.removeAttribute('aria-invalid');
          values[name] = v;
          rebuild(true);
        });
        return h('div', { class: 'var', 'data-name': name }, h('label', { for: id }, name, h('span', { class: 'eq' }, ' =')), field);
      }),
    );
    if (names.length === 0) varList.replaceChildren(h('p', { class: 'help' }, 'No variables: f is a constant.'));
    const keep = names.includes(seed) ? seed : (names[0] ?? '');
    seedSelect.replaceChildren(...names.map((n) => h('option', { value: n, selected: n === keep }, n)));
    seed = keep;
  }

  /** Parses and evaluates the input; on an error shows it and keeps the last good graph. */
  function rebuild(keepStep: boolean): void {
    const text = input.value;
    let names: string[];
    try {
      names = variables(parseExpression(text));
    } catch (e) {
      if (e instanceof ExpressionSyntaxError) {
        showCaretError(errorBox, text, `Syntax error: ${e.detail} (column ${e.position + 1}).`, e.position, e.end);
        input.setAttribute('aria-invalid', 'true');
        return;
      }
      throw e;
    }
    hideError(errorBox);
    input.removeAttribute('aria-invalid');
    syncVariables(names);
    let next: GraphModel;
    try {
      next = buildGraph(text, values);
    } catch (e) {
      showCaretError(errorBox, text, e instanceof Error ? e.message : String(e), null);
      return;
    }
    const sameShape = model !== null && model.text === next.text;
    model = next;
    if (!(keepStep && sameShape)) step = 0;
    step = Math.min(step, total());
    renderCounts();
    void draw();
    update();
  }

  // ---- Graphviz drawing -----------------------------------------------------------

  async function draw(): Promise<void> {
    const m = model!;
    const token = ++renderToken;
    graphBox.setAttribute('aria-busy', 'true');
    let both: { LR: string; TB: string };
    try {
      // Both layouts take a few ms; the one that needs less shrinking is shown.
      both = { LR: await renderSvg(modelToDot(m, 'LR')), TB: await renderSvg(modelToDot(m, 'TB')) };
    } catch (e) {
      if (token !== renderToken) return;
      graphBox.replaceChildren(h('p', { class: 'error-text' }, `Graphviz failed: ${e instanceof Error ? e.message : String(e)}`));
      graphBox.removeAttribute('aria-busy');
      return;
    }
    if (token !== renderToken) return; // a newer graph is on its way
    layouts = both;
    rankdir = pickLayout();
    mount(m, both[rankdir]);
  }

  function mount(m: GraphModel, svgText: string): void {
    graphBox.innerHTML = svgText;
    graphBox.removeAttribute('aria-busy');
    const svg = graphBox.querySelector('svg')!;
    // Scale down to the box, never up: the natural size is the cap.
    svg.style.maxWidth = `${naturalSize(svgText).w}px`;
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    svg.setAttribute('aria-hidden', 'true');
    drawn = {
      model: m,
      nodes: m.nodes.map((n) => {
        const group = svg.querySelector<SVGGElement>(`#node-${n.index}`)!;
        return { group, texts: Array.from(group.querySelectorAll('text')) };
      }),
      edges: m.edges.map((e) => {
        const group = svg.querySelector<SVGGElement>(`#edge-${e.index}`)!;
        const title = group.querySelector('title');
        const parent = m.nodes[e.parent]!;
        const tip = `∂v${e.parent + 1}/∂v${e.child + 1} = ${e.localText} = ${fmt(e.local)}`;
        if (title !== null) title.textContent = tip;
        if (parent.op !== '') group.dataset.local = tip;
        return group;
      }),
    };
    for (const { group, texts } of drawn.nodes) {
      const title = group.querySelector('title');
      if (title !== null) title.textContent = texts[0]?.textContent ?? '';
    }
    update();
  }

  // ---- stepping -------------------------------------------------------------------

  function update(): void {
    const m = model;
    seedSelect.disabled = mode === 'reverse' || (m?.variables.length ?? 0) === 0;
    const t = total();
    buttons.reset.disabled = step === 0;
    buttons.back.disabled = step === 0;
    buttons.next.disabled = m === null || step >= t;
    buttons.end.disabled = m === null || step >= t;
    if (m === null) return;
    const n = m.nodes.length;
    const reverse = mode === 'reverse';
    const inReverse = reverse && step > n;
    const computedCount = Math.min(step, n);
    const processed = inReverse ? m.reverseOrder.slice(0, step - n) : [];
    const done = new Set(processed);
    const current = step === 0 ? -1 : inReverse ? m.reverseOrder[step - n - 1]! : step - 1;
    const tangentInfo = reverse ? null : m.tangents(seed);

    // Tables.
    fwdBody.replaceChildren(
      ...m.forwardRows.slice(0, computedCount).map((r) =>
        h('tr', { class: !inReverse && r.node === current ? 'current' : undefined },
          h('td', {}, r.step), h('td', {}, r.operation), h('td', { class: 'num', 'data-value': r.value }, fmt(r.value))),
      ),
    );
    const head = adjTable.querySelector('thead')!;
    const body = adjTable.querySelector('tbody')!;
    if (reverse) {
      adjTitle.textContent = 'Reverse pass (adjoints)';
      head.replaceChildren(h('tr', {}, h('th', { scope: 'col' }, 'Step'), h('th', { scope: 'col' }, 'Adjoint'),
        h('th', { scope: 'col', class: 'num' }, 'Value'), h('th', { scope: 'col' }, 'Rule')));
      body.replaceChildren(
        ...m.adjointRows.slice(0, processed.length).map((r) =>
          h('tr', { class: r.node === current ? 'current' : undefined, 'data-node': r.node },
            h('td', {}, r.step), h('td', {}, r.adjoint), h('td', { class: 'num', 'data-value': r.value }, fmt(r.value)), h('td', { class: 'rule' }, r.rule)),
        ),
      );
    } else {
      adjTitle.textContent = `Forward mode (tangents, seed ${seed} = 1)`;
      head.replaceChildren(h('tr', {}, h('th', { scope: 'col' }, 'Step'), h('th', { scope: 'col' }, 'Tangent rule'),
        h('th', { scope: 'col', class: 'num' }, 'Tangent')));
      body.replaceChildren(
        ...tangentInfo!.rows.slice(0, computedCount).map((r) =>
          h('tr', { class: r.node === current ? 'current' : undefined },
            h('td', {}, r.step), h('td', { class: 'rule' }, r.rule), h('td', { class: 'num', 'data-value': r.tangent }, fmt(r.tangent))),
        ),
      );
    }

    // Graph.
    if (drawn !== null && drawn.model === m) {
      drawn.nodes.forEach(({ group, texts }, i) => {
        const node = m.nodes[i]!;
        const computed = reverse ? i < computedCount || inReverse : i < computedCount;
        group.classList.toggle('pending', !computed);
        group.classList.toggle('current', i === current);
        group.classList.toggle('has-adjoint', done.has(i));
        group.classList.toggle('has-tangent', !reverse && computed);
        if (texts[1] !== undefined) texts[1].textContent = computed ? fmt(node.value) : '?';
        if (texts[2] !== undefined) {
          texts[2].textContent = reverse
            ? `v̄${i + 1} = ${done.has(i) ? fmt(node.adjoint) : '?'}`
            : `v̇${i + 1} = ${computed ? fmt(tangentInfo!.tangent[i]!) : '?'}`;
          texts[2].classList.toggle('unknown', reverse ? !done.has(i) : !computed);
        }
      });
      drawn.edges.forEach((group, k) => {
        const e = m.edges[k]!;
        const lit = reverse ? done.has(e.parent) : e.parent < computedCount;
        const flowing = e.parent < computedCount || inReverse;
        group.classList.toggle('lit', lit);
        group.classList.toggle('flow', flowing);
        group.classList.toggle('active', e.parent === current);
        group.classList.toggle('backward', inReverse);
      });
    }

    // Status and result.
    status.textContent = statusText(m, current, inReverse, processed.length, tangentInfo?.tangent ?? null);
    gradientBox.replaceChildren();
    if (reverse && step === t) {
      gradientBox.append(
        h('span', { class: 'label' }, `∇f(${m.variables.map((v) => fmt(m.values[v]!, 2)).join(', ')}) from one backward pass:`),
        ...m.gradient.map((g) =>
          h('span', { class: 'grad', 'data-testid': `grad-${g.name}`, 'data-value': g.value }, `∂f/∂${g.name} = `, h('strong', {}, fmt(g.value)))),
      );
    } else if (!reverse && step === t && m.variables.length > 0) {
      gradientBox.append(
        h('span', { class: 'label' }, `One forward-mode pass, seed ${seed}:`),
        h('span', { class: 'grad', 'data-testid': `tangent-${seed}`, 'data-value': tangentInfo!.derivative }, `∂f/∂${seed} = `, h('strong', {}, fmt(tangentInfo!.derivative))),
        m.variables.length > 1 ? h('span', { class: 'help' }, `the other ${m.variables.length - 1} partial(s) need one pass each`) : '',
      );
    } else {
      gradientBox.append(h('span', { class: 'help' }, reverse
        ? 'Step through the forward pass, then the reverse pass, to get the whole gradient.'
        : 'Each step computes one node’s value and its tangent together.'));
    }
  }

  function statusText(m: GraphModel, current: number, inReverse: boolean, processedCount: number, tangent: number[] | null): string {
    const n = m.nodes.length;
    if (step === 0) {
      return mode === 'reverse'
        ? `Ready: ${n} nodes. Step runs the forward pass (${n} steps), then the reverse pass (${n} steps).`
        : `Ready: ${n} nodes. Step runs one forward-mode pass (${n} steps) with ${seed} seeded.`;
    }
    const node = m.nodes[current]!;
    if (inReverse) {
      const row = m.adjointRows[processedCount - 1]!;
      return `Reverse pass ${processedCount}/${n}: ${row.step} = ${row.rule} = ${fmt(row.value)}` +
        (node.kind === 'input' ? ` = ${row.adjoint}` : '');
    }
    if (tangent !== null) {
      return `Forward mode ${step}/${n}: ${node.name} = ${fmt(node.value)}, v̇${current + 1} = ${fmt(tangent[current]!)}`;
    }
    return `Forward pass ${step}/${n}: ${node.name} = ${node.formula} = ${fmt(node.value)}` +
      (step === n ? '. Next: the reverse pass, from the output back.' : '');
  }

  function renderCounts(): void {
    const m = model!;
    const { graph, reverse, forward } = m.counts;
    const k = m.variables.length;
    countsBody.replaceChildren(
      h('tr', {}, h('td', {}, 'Reverse mode'), h('td', {}, '1 forward + 1 backward'),
        h('td', { class: 'num', 'data-testid': 'ops-reverse' }, `${reverse.forward} + ${reverse.backward} = ${reverse.total}`)),
      h('tr', {}, h('td', {}, 'Forward mode'), h('td', {}, `${forward.passes} Dual pass${forward.passes === 1 ? '' : 'es'}`),
        h('td', { class: 'num', 'data-testid': 'ops-forward' }, `${forward.forward} + ${forward.tangent} = ${forward.total}`)),
      h('tr', {}, h('td', {}, 'Evaluate f once'), h('td', {}, '—'), h('td', { class: 'num' }, String(graph.forward))),
    );
    countsNote.textContent = k === 0
      ? 'No inputs: nothing to differentiate.'
      : `Both give all ${k} partial${k === 1 ? '' : 's'}. Reverse mode costs ${fmt(reverse.total / Math.max(1, graph.forward), 1)}× one evaluation whatever the number of inputs; ` +
        `forward mode pays about one evaluation-and-tangent per input. Counts use adjoint's cost model (countOps, countForwardMode, countReverseMode).`;
  }

  // ---- wiring ---------------------------------------------------------------------

  let debounce = 0;
  input.addEventListener('input', () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(() => rebuild(false), 250);
  });
  byId('expr-form').addEventListener('submit', (e) => {
    e.preventDefault();
    window.clearTimeout(debounce);
    rebuild(false);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      window.clearTimeout(debounce);
      rebuild(false);
    }
  });
  for (const chip of Array.from(document.querySelectorAll<HTMLButtonElement>('#expr-form .chip'))) {
    chip.addEventListener('click', () => {
      input.value = chip.dataset.expr!;
      rebuild(false);
    });
  }
  for (const radio of Array.from(document.querySelectorAll<HTMLInputElement>('input[name="mode"]'))) {
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      mode = radio.value as Mode;
      step = 0;
      update();
    });
  }
  seedSelect.addEventListener('change', () => {
    seed = seedSelect.value;
    update();
  });
  buttons.next.addEventListener('click', () => {
    step = Math.min(total(), step + 1);
    update();
  });
  buttons.back.addEventListener('click', () => {
    step = Math.max(0, step - 1);
    update();
  });
  buttons.reset.addEventListener('click', () => {
    step = 0;
    update();
  });
  buttons.end.addEventListener('click', () => {
    step = total();
    update();
  });
  // Arrow keys step while focus is in the lab (outside text fields and menus).
  byId('graph').addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (target.matches('input, select, textarea')) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      step = Math.max(0, Math.min(total(), step + (e.key === 'ArrowRight' ? 1 : -1)));
      update();
    }
  });

  new ResizeObserver(() => {
    if (model !== null && drawn !== null && drawn.model === model && layouts !== null && pickLayout() !== rankdir) {
      rankdir = pickLayout();
      mount(model, layouts[rankdir]);
    }
  }).observe(graphBox);

  rebuild(false);
}
