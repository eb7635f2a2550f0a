/**
 * The graph lab's Graphviz input: one record per node (what it computes, its
 * value, its adjoint or tangent) and one labelled edge per operand, with ids so
 * that the page can step through the passes by restyling the laid-out SVG
 * instead of laying it out again.
 */
import { fmt } from '../dom.js';
import type { GraphModel } from './model.js';

/** Escapes one field of a record label. */
function field(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[{}|<>]/g, (c) => `\\${c}`);
}

/** The longest text the third field of node `i` will show, so the layout leaves room for it. */
export function derivativeFieldText(model: GraphModel, i: number, tangentsBySeed: readonly number[][]): string {
  const candidates = [`v̄${i + 1} = ${fmt(model.nodes[i]!.adjoint)}`, `v̄${i + 1} = ?`];
  for (const t of tangentsBySeed) candidates.push(`v̇${i + 1} = ${fmt(t[i]!)}`);
  return candidates.reduce((a, b) => (b.length > a.length ? b : a));
}

/**
 * DOT for the model: node `i` has id `node-i` and three text fields, edge `k`
 * has id `edge-k` and its local derivative as label. `rankdir` is the layout
 * direction (`'TB'` suits a phone).
 *
 * @example
 * const dot = modelToDot(buildGraph('x * y', { x: 2, y: 3 }));
 */
export function modelToDot(model: GraphModel, rankdir: 'LR' | 'TB' = 'LR'): string {
  const tangents = model.variables.map((v) => model.tangents(v).tangent);
  // Braces turn a record's fields sideways: in a row for LR, in a column for TB (narrow screens).
  const lines = [
    'digraph G {',
    `  rankdir=${rankdir}; bgcolor="transparent"; nodesep=0.3; ranksep=${rankdir === 'LR' ? 0.55 : 0.4}; pad=0.1;`,
    '  node [shape=record fontname="Helvetica" fontsize=13 style="rounded,filled" penwidth=1.4 margin="0.14,0.06"];',
    '  edge [fontname="Helvetica" fontsize=12 arrowsize=0.7 penwidth=1.3];',
  ];
  for (const n of model.nodes) {
    const kind = n.index === model.output ? 'output' : n.kind;
    const third = derivativeFieldText(model, n.index, tangents);
    const label = `{ ${field(`${n.name} = ${n.formula}`)} | ${field(fmt(n.value))} | ${field(third)} }`;
    lines.push(`  n${n.index} [id="node-${n.index}" class="gnode ${kind}" label="${label}"];`);
  }
  for (const e of model.edges) {
    lines.push(`  n${e.child} -> n${e.parent} [id="edge-${e.index}" class="gedge" label=" ${fmt(e.local)} "];`);
  }
  lines.push('}');
  return lines.join('\n');
}
