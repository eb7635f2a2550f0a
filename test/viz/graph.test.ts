import { describe, expect, it } from 'vitest';
import { drawGraph, GRAPH_COLORS, renderSvg, toDot, topoOrder } from '../../src/viz/index.js';
import { expectWellFormed, FakeNode } from './helpers.js';

/** The chapter's f(x, y) = (x + y) * sin(x) at x = 2, y = 3, after backward. */
function chapterGraph() {
  const x = new FakeNode(2, Math.sin(2) + 5 * Math.cos(2), '', [], 'x');
  const y = new FakeNode(3, Math.sin(2), '', [], 'y');
  const v1 = new FakeNode(5, Math.sin(2), '+', [x, y], 'v1');
  const v2 = new FakeNode(Math.sin(2), 5, 'sin', [x], 'v2');
  const f = new FakeNode(5 * Math.sin(2), 1, '*', [v1, v2], 'f');
  return { x, y, v1, v2, f };
}

const declarations = (dot: string) => [...dot.matchAll(/^ {2}(n\d+) \[shape=record/gm)].map((m) => m[1]);

describe('toDot', () => {
  it('declares each node once, with its op node, data and grad', () => {
    const { f } = chapterGraph();
    const dot = toDot(f);
    expect(dot.startsWith('digraph G {\n  rankdir=LR;')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    // x feeds both + and sin but appears once
    expect(declarations(dot)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    expect(dot.match(/label="\{ x \|/g)).toHaveLength(1);
    expect(dot).toContain('label="{ x | data 2.0000 | grad -1.1714 }"');
    expect(dot).toContain('label="{ y | data 3.0000 | grad 0.9093 }"');
    expect(dot).toContain('label="{ f | data 4.5465 | grad 1.0000 }"');
    // one ellipse per non-leaf, feeding its value
    const ops = [...dot.matchAll(/(n\d+)_op \[shape=ellipse[^\]]*label="([^"]*)"\]/g)].map((m) => m[2]);
    expect(ops.sort()).toEqual(['*', '+', 'sin']);
    for (const id of ['n2', 'n3', 'n4']) expect(dot).toContain(`${id}_op -> ${id};`);
    // edges from inputs into op nodes: x->+, y->+, x->sin, v1->*, v2->*
    expect(dot.match(/-> n\d+_op;/g)).toHaveLength(5);
  });

  it('colours inputs, ops and the output differently', () => {
    const { f } = chapterGraph();
    const dot = toDot(f);
    const line = (label: string) => dot.split('\n').find((l) => l.includes(`{ ${label} |`))!;
    expect(line('x')).toContain(`fillcolor="${GRAPH_COLORS.input.fill}"`);
    expect(line('y')).toContain(`fillcolor="${GRAPH_COLORS.input.fill}"`);
    expect(line('v1')).toContain(`fillcolor="${GRAPH_COLORS.value.fill}"`);
    expect(line('f')).toContain(`fillcolor="${GRAPH_COLORS.output.fill}"`);
    expect(dot.match(new RegExp(`shape=ellipse style=filled fillcolor="${GRAPH_COLORS.op.fill}"`, 'g'))).toHaveLength(3);
    const colours = new Set([GRAPH_COLORS.input.fill, GRAPH_COLORS.op.fill, GRAPH_COLORS.output.fill]);
    expect(colours.size).toBe(3);
  });

  it('keeps node identity, not value: equal values are distinct nodes, a reused node is one', () => {
    const a = new FakeNode(1);
    const b = new FakeNode(1);
    const sq = new FakeNode(1, 0, '*', [a, a]); // a * a
    const out = new FakeNode(2, 0, '+', [sq, b]);
    const dot = toDot(out);
    expect(declarations(dot)).toHaveLength(4);
    expect(dot.match(/n0 -> n1_op;/g)).toHaveLength(2); // both operands of a * a
    // unlabelled nodes have no empty label field
    expect(dot).toContain('label="{ data 1.0000 | grad 0.0000 }"');
  });

  it('honours showGrad, format, rankdir and title', () => {
    const { f } = chapterGraph();
    const dot = toDot(f, { showGrad: false, format: (v) => v.toFixed(1), rankdir: 'TB', title: 'f = (x + y) sin x' });
    expect(dot).not.toContain('grad');
    expect(dot).toContain('rankdir=TB;');
    expect(dot).toContain('label="x | data 2.0"'); // no braces top to bottom: the fields stay side by side
    expect(dot).toContain('label="f = (x + y) sin x"; labelloc=t;');
  });

  it('escapes record syntax, quotes, backslashes and newlines', () => {
    const leaf = new FakeNode(1, 0, '', [], 'a{b}|<c> "q" \\ end\nnext');
    const out = new FakeNode(1, 0, 'we"ird', [leaf], '');
    const dot = toDot(out);
    expect(dot).toContain('label="{ a\\{b\\}\\|\\<c\\> \\"q\\" \\\\ end\\nnext | data');
    expect(dot).toContain('label="we\\"ird"');
  });

  it('handles deep graphs without recursion', () => {
    let node = new FakeNode(0);
    for (let i = 1; i <= 100_000; i++) node = new FakeNode(i, 0, '+', [node]);
    const order = topoOrder(node);
    expect(order).toHaveLength(100_001);
    expect(order[0]!.data).toBe(0);
    expect(order.at(-1)).toBe(node);
    const dot = toDot(node);
    expect(declarations(dot)).toHaveLength(100_001);
  });
});

describe('renderSvg / drawGraph (Graphviz in WASM)', () => {
  it('renders the graph to SVG with the node texts', async () => {
    const { f } = chapterGraph();
    const svg = await drawGraph(f, { title: 'f(x, y) = (x + y) · sin(x)' });
    expect(svg).toContain('<svg');
    expectWellFormed(svg);
    for (const text of ['data 2.0000', 'grad &#45;1.1714', 'data 4.5465', '>sin<', '>+<', '>*<', '>x<', '>v2<']) {
      expect(svg).toContain(text);
    }
    expect(svg).toContain('f(x, y) = (x + y) · sin(x)');
    expect(svg.match(/class="node"/g)).toHaveLength(8); // 5 values + 3 ops
    expect(svg.match(/class="edge"/g)).toHaveLength(8); // 5 inputs to ops + 3 op to value
  });

  it('renders escaped labels literally', async () => {
    const leaf = new FakeNode(1, 0, '', [], 'a{b}|<c> "q" \\');
    const svg = await drawGraph(new FakeNode(2, 0, 'exp', [leaf]));
    expectWellFormed(svg);
    expect(svg).toContain('a{b}|&lt;c&gt; &quot;q&quot; \\');
  });

  it('reuses the Graphviz instance and reports bad DOT', async () => {
    await renderSvg('digraph { a -> b }');
    const t0 = performance.now();
    const svg = await renderSvg('digraph { a -> b -> c }');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(svg).toContain('<title>c</title>');
    await expect(renderSvg('digraph { a -> ')).rejects.toThrow(/renderSvg: Graphviz could not lay out the graph/);
  });
});
