/**
 * 28.2 The Computational Graph: f(x, y) = (x + y)·sin(x) at (2, 3) as `Value`
 * nodes v1 … v5, its forward table, and the graph drawn by Graphviz with every
 * node's value and gradient after `backward()`.
 */
import { Value } from '../../scalar/index.js';
import { fixed } from '../writer.js';
import { saveGraph, type TourContext } from './context.js';

/** The nodes of f(x, y) = (x + y)·sin(x), named as in the chapter's tables. */
export interface ExampleGraph {
  /** v1 = x. */
  v1: Value;
  /** v2 = y. */
  v2: Value;
  /** v3 = v1 + v2. */
  v3: Value;
  /** v4 = sin(v1). */
  v4: Value;
  /** v5 = v3 · v4 = f. */
  v5: Value;
}

/** One row of the forward table. */
export interface ForwardRow {
  step: string;
  operation: string;
  value: number;
}

/** What {@link computationalGraph} computed. */
export interface GraphResult {
  x: number;
  y: number;
  forward: ForwardRow[];
  /** f(2, 3). */
  value: number;
  /** The graph after `backward()` (its grads are the adjoints of 28.3). */
  nodes: ExampleGraph;
}

/**
 * Builds f(x, y) = (x + y)·sin(x) at (x, y) with labelled nodes (no backward yet).
 *
 * @example
 * const g = buildExample(2, 3);
 * g.v5.data; // 5 · sin 2 ≈ 4.5465
 */
export function buildExample(x: number, y: number): ExampleGraph {
  const v1 = new Value(x, 'v1 = x');
  const v2 = new Value(y, 'v2 = y');
  const v3 = v1.add(v2);
  v3.label = 'v3 = v1 + v2';
  const v4 = v1.sin();
  v4.label = 'v4 = sin v1';
  const v5 = v3.mul(v4);
  v5.label = 'v5 = v3 · v4 = f';
  return { v1, v2, v3, v4, v5 };
}

/**
 * Runs section 28.2 and writes `graph.svg`.
 *
 * @example
 * const r = await computationalGraph(ctx);
 * r.value; // 4.5465
 */
export async function computationalGraph(ctx: TourContext): Promise<GraphResult> {
  const { out } = ctx;
  const x = 2;
  const y = 3;
  out.heading('28.2 The Computational Graph');
  out.line('f(x, y) = (x + y) · sin(x) decomposes into v3 = x + y, v4 = sin(x), f = v3 · v4:');
  out.line('five nodes (two inputs, two operations, one output), built by running the code.');

  const g = buildExample(x, y);
  const forward: ForwardRow[] = [
    { step: 'v1 = x', operation: 'input', value: g.v1.data },
    { step: 'v2 = y', operation: 'input', value: g.v2.data },
    { step: 'v3 = v1 + v2', operation: `addition (${g.v3.op})`, value: g.v3.data },
    { step: 'v4 = sin(v1)', operation: `sine (${g.v4.op})`, value: g.v4.data },
    { step: 'v5 = v3 · v4', operation: `multiplication (${g.v5.op})`, value: g.v5.data },
  ];
  out.subheading(`Forward pass at x = ${x}, y = ${y}`);
  out.table(
    ['Step', 'Operation', 'Value'],
    forward.map((r) => [r.step, r.operation, fixed(r.value, 4)]),
    ['l', 'l', 'r'],
  );

  g.v5.backward();
  out.line();
  out.line(`f = ${fixed(g.v5.data, 4)}; after f.backward() every node also holds ∂f/∂node (drawn below).`);
  await saveGraph(
    ctx,
    'graph.svg',
    g.v5,
    { title: 'f(x, y) = (x + y) · sin(x) at (2, 3), after backward()' },
    'computational graph of (x + y)·sin x with values and grads (Graphviz)',
  );
  return { x, y, forward, value: g.v5.data, nodes: g };
}
