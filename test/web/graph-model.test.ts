// The graph lab's model (web/src/graph/model.ts): the chapter's numbering and tables, and
// local derivatives on the edges that add up to the engine's adjoints and tangents.
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../web/src/graph/model.js';

function close(actual: number, expected: number, tol = 1e-12): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol * (1 + Math.abs(expected)));
}

describe('graph lab model', () => {
  const m = buildGraph('(x + y) * sin(x)', { x: 2, y: 3 });

  it('numbers the nodes like the chapter and fills its forward table', () => {
    expect(m.forwardRows.map((r) => [r.step, r.operation])).toEqual([
      ['v1 = x', 'input'],
      ['v2 = y', 'input'],
      ['v3 = v1 + v2', 'addition (+)'],
      ['v4 = sin(v1)', 'sine (sin)'],
      ['v5 = v3 · v4', 'multiplication (·)'],
    ]);
    close(m.forwardRows[4]!.value, 5 * Math.sin(2));
  });

  it('visits the reverse pass in the chapter order with its rules', () => {
    expect(m.adjointRows.map((r) => [r.step, r.adjoint, r.rule])).toEqual([
      ['v̄5', '∂f/∂v5', '1 (seed)'],
      ['v̄3', '∂f/∂v3', 'v̄5 · v4'],
      ['v̄4', '∂f/∂v4', 'v̄5 · v3'],
      ['v̄1', '∂f/∂x', 'v̄3 + v̄4 · cos(v1)'],
      ['v̄2', '∂f/∂y', 'v̄3'],
    ]);
    close(m.gradient[0]!.value, Math.sin(2) + 5 * Math.cos(2));
    close(m.gradient[1]!.value, Math.sin(2));
  });

  it('has op counts of both modes', () => {
    expect(m.counts.forward.passes).toBe(2);
    expect(m.counts.reverse.passes).toBe(1);
    expect(m.counts.reverse.forward).toBe(m.counts.graph.forward);
    close(m.counts.forward.gradient[0]!, m.gradient[0]!.value);
  });

  it.each([
    ['(x + y) * sin(x)', { x: 2, y: 3 }],
    ['x^3 * log(x) + exp(-x)', { x: 1.3 }],
    ['x * x / (1 - y) + tanh(x - y) ^ 2', { x: 0.4, y: -0.7 }],
    ['sigmoid(a * b) - relu(b) + 2^a + a^b + cos(b) / 3 + sqrt(a)', { a: 1.5, b: 0.8 }],
    ['x', { x: 4 }],
    ['3 * 2', {}],
  ])('%s: local derivatives reproduce the engine adjoints and tangents', (text, values) => {
    const g = buildGraph(text, values);
    for (const n of g.nodes) {
      if (n.index === g.output) {
        close(n.adjoint, 1);
        continue;
      }
      const sum = g.edges.filter((e) => e.child === n.index).reduce((s, e) => s + g.nodes[e.parent]!.adjoint * e.local, 0);
      close(n.adjoint, sum);
    }
    for (const seed of g.variables) {
      const { rows, derivative } = g.tangents(seed);
      for (const r of rows) {
        const n = g.nodes[r.node]!;
        if (n.kind !== 'op') {
          expect(r.tangent).toBe(n.variable === seed ? 1 : 0);
          continue;
        }
        const sum = g.edges.filter((e) => e.parent === n.index).reduce((s, e) => s + e.local * rows[e.child]!.tangent, 0);
        close(r.tangent, sum);
      }
      close(derivative, g.gradient.find((v) => v.name === seed)!.value);
    }
    // Every node once in each pass.
    expect([...g.reverseOrder].sort((a, b) => a - b)).toEqual(g.forwardOrder);
  });

  it('names constants and folded operands', () => {
    const g = buildGraph('1 - 2 * x^3 / 4 + x', { x: 2 });
    expect(g.forwardRows.map((r) => r.step)).toEqual([
      'v1 = x', 'v2 = v1^3', 'v3 = 2 · v2', 'v4 = v3 / 4', 'v5 = 1', 'v6 = v5 − v4', 'v7 = v6 + v1',
    ]);
    expect(g.nodes[4]!.kind).toBe('constant');
    expect(g.adjointRows.find((r) => r.step === 'v̄1')!.rule).toBe('v̄2 · 3·v1^2 + v̄7');
    expect(g.adjointRows.find((r) => r.step === 'v̄4')!.rule).toBe('−v̄6');
    // A sum as a local derivative gets parentheses.
    const t = buildGraph('tanh(x) * sigmoid(x)', { x: 0.5 });
    expect(t.adjointRows.find((r) => r.step === 'v̄1')!.rule).toBe('v̄2 · (1 − v2²) + v̄3 · v3(1 − v3)');
  });
});
