/**
 * The graph lab's model, free of the DOM: an expression evaluated by the real
 * engine (`Value` for values and adjoints, `Dual` for tangents), its nodes
 * numbered v1 … vn like the chapter (inputs first, then the ops in the order the
 * engine created them), the local derivative on every edge, and the rows of the
 * forward table, the adjoint table and the forward-mode (tangent) table.
 *
 * The numbers shown come from the engine: `.data` and `.grad` after one
 * `backward()`, and the `.tangent` of each `Dual` of `evaluateDual`. The local
 * derivatives on the edges are computed here from the node values (they are what
 * the engine's rules multiply by), and a test checks that they add up to the
 * engine's adjoints and tangents.
 */
import {
  Dual, Value, compileExpression, countForwardMode, countOps, countReverseMode, evaluate, evaluateDual,
  parseExpression, topoSort, variables, type ExprNode, type OpCounts,
} from 'adjoint/scalar';

/** Where a node came from. */
export type NodeKind = 'input' | 'constant' | 'op';

/** One node of the graph, v1 … vn. */
export interface GraphNode {
  /** 0-based; the chapter's name is `v${index + 1}`. */
  readonly index: number;
  /** `v3`. */
  readonly name: string;
  readonly kind: NodeKind;
  /** The variable's name for an input (`x`), else `''`. */
  readonly variable: string;
  /** The engine's op label (`''`, `'+'`, `'*2'`, `'sin'`...). */
  readonly op: string;
  /** What it computes, in terms of its inputs: `v1 + v2`, `sin(v1)`, `x`, `1`. */
  readonly formula: string;
  /** The forward table's Operation column: `input`, `addition (+)`, `sine`... */
  readonly operation: string;
  /** Indices of its inputs (a node used twice, as in `x * x`, appears twice). */
  readonly children: readonly number[];
  /** Its value (the engine's `.data`). */
  readonly value: number;
  /** ∂f/∂(this node), the engine's `.grad` after one `backward()`. */
  readonly adjoint: number;
}

/** An edge child → parent with the local derivative ∂parent/∂child. */
export interface GraphEdge {
  readonly index: number;
  readonly child: number;
  readonly parent: number;
  /** Which operand of the parent (0 or 1). */
  readonly slot: number;
  /** ∂parent/∂child at the current values. */
  readonly local: number;
  /** The same, symbolically: `v4`, `cos(v1)`, `1 − v3²`; `'1'` for a plain pass-through. */
  readonly localText: string;
}

/** A row of the forward table (chapter 28.2). */
export interface ForwardRow {
  node: number;
  step: string;
  operation: string;
  value: number;
}

/** A row of the adjoint table (chapter 28.3). */
export interface AdjointRow {
  node: number;
  step: string;
  adjoint: string;
  value: number;
  rule: string;
}

/** A row of the forward-mode table: one node's value and tangent. */
export interface TangentRow {
  node: number;
  step: string;
  rule: string;
  value: number;
  tangent: number;
}

/** Op counts of the whole gradient in both modes. */
export interface ModeCounts {
  /** `countOps` of the graph. */
  graph: OpCounts;
  reverse: { passes: number; forward: number; backward: number; total: number; gradient: number[] };
  forward: { passes: number; forward: number; tangent: number; total: number; gradient: number[] };
}

/** Everything the graph lab shows for one expression at one point. */
export interface GraphModel {
  readonly text: string;
  readonly variables: readonly string[];
  readonly values: Readonly<Record<string, number>>;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Index of the output node (the last one). */
  readonly output: number;
  /** The forward pass: node indices in order (0 … n−1). */
  readonly forwardOrder: readonly number[];
  /** The reverse pass: every node after all its parents, inputs last in order. */
  readonly reverseOrder: readonly number[];
  readonly forwardRows: readonly ForwardRow[];
  /** In reverse order (one per step of the reverse pass). */
  readonly adjointRows: readonly AdjointRow[];
  /** ∂f/∂variable from the engine, in variable order. */
  readonly gradient: readonly { name: string; value: number }[];
  readonly counts: ModeCounts;
  /** The tangent table for seeding `seed` (forward mode, one `Dual` pass). */
  tangents(seed: string): { rows: TangentRow[]; tangent: number[]; derivative: number };
}

const OPERATIONS: Record<string, string> = {
  '+': 'addition (+)',
  '-': 'subtraction (−)',
  '*': 'multiplication (·)',
  '/': 'division (/)',
  '**': 'power (^)',
  neg: 'negation (−)',
  exp: 'exponential (exp)',
  log: 'logarithm (log)',
  tanh: 'tanh',
  relu: 'relu',
  sigmoid: 'sigmoid (σ)',
  sin: 'sine (sin)',
  cos: 'cosine (cos)',
};

/** A number as the chapter prints it in formulas: `2`, `0.5`, `-3`. */
function num(c: number): string {
  return Number.isInteger(c) ? String(c) : String(Number(c.toPrecision(6)));
}

/** The constant folded into a one-child node's op label (`'*2'` → 2, `'-1'` → −1 as an added constant). */
function folded(op: string): { kind: '+' | '*' | '/' | '**'; c: number } | null {
  const m = /^(\*\*|[+\-*/])(.+)$/.exec(op);
  if (m === null) return null;
  const c = Number(m[2]);
  if (m[1] === '-') return { kind: '+', c: -c };
  return { kind: m[1] as '+' | '*' | '/' | '**', c };
}

function formulaOf(v: Value, names: (w: Value) => string): { formula: string; operation: string } {
  const [a, b] = v.children;
  const op = v.op;
  if (a === undefined) return { formula: '', operation: '' };
  const A = names(a);
  if (b !== undefined) {
    const B = names(b);
    const sym = op === '*' ? '·' : op === '**' ? '^' : op === '-' ? '−' : op;
    return { formula: `${A} ${sym} ${B}`, operation: OPERATIONS[op] ?? op };
  }
  const f = folded(op);
  if (f !== null) {
    switch (f.kind) {
      case '+':
        return f.c < 0 || Object.is(f.c, -0)
          ? { formula: `${A} − ${num(-f.c)}`, operation: `subtract a constant (${op})` }
          : { formula: `${A} + ${num(f.c)}`, operation: `add a constant (${op})` };
      case '*': return { formula: `${num(f.c)} · ${A}`, operation: `scale by a constant (${op})` };
      case '/': return { formula: `${A} / ${num(f.c)}`, operation: `divide by a constant (${op})` };
      case '**': return { formula: `${A}^${num(f.c)}`, operation: `power (^${num(f.c)})` };
    }
  }
  if (op === 'neg') return { formula: `−${A}`, operation: OPERATIONS.neg! };
  return { formula: `${op}(${A})`, operation: OPERATIONS[op] ?? op };
}

/**
 * ∂v/∂(operand `slot`) at the current values, and its formula in node names
 * (`self` is v's name). The rules are the engine's (see `cost.ts`).
 */
function localDerivative(v: Value, slot: number, names: (w: Value) => string): { local: number; text: string } {
  const [a, b] = v.children as [Value, Value | undefined];
  const y = v.data;
  const self = names(v);
  const A = names(a);
  const op = v.op;
  if (b !== undefined) {
    const B = names(b);
    switch (op) {
      case '+': return { local: 1, text: '1' };
      case '-': return slot === 0 ? { local: 1, text: '1' } : { local: -1, text: '−1' };
      case '*': return slot === 0 ? { local: b.data, text: B } : { local: a.data, text: A };
      case '/': return slot === 0 ? { local: 1 / b.data, text: `1/${B}` } : { local: -y / b.data, text: `−${self}/${B}` };
      case '**':
        if (slot === 0) return { local: b.data * Math.pow(a.data, b.data - 1), text: `${B}·${A}^(${B}−1)` };
        return { local: a.data === 0 && b.data >= 0 ? 0 : y * Math.log(a.data), text: `${self}·log(${A})` };
    }
    throw new Error(`graph lab: unknown binary op '${op}'`);
  }
  const f = folded(op);
  if (f !== null) {
    switch (f.kind) {
      case '+': return { local: 1, text: '1' };
      case '*': return { local: f.c, text: num(f.c) };
      case '/': return { local: 1 / f.c, text: `1/${num(f.c)}` };
      case '**':
        return f.c === 0
          ? { local: 0, text: '0' }
          : { local: f.c * Math.pow(a.data, f.c - 1), text: `${num(f.c)}·${A}^${num(f.c - 1)}` };
    }
  }
  switch (op) {
    case 'neg': return { local: -1, text: '−1' };
    case 'exp': return { local: y, text: self };
    case 'log': return { local: 1 / a.data, text: `1/${A}` };
    case 'tanh': return { local: 1 - y * y, text: `1 − ${self}²` };
    case 'relu': return { local: a.data > 0 ? 1 : 0, text: `[${A} > 0]` };
    case 'sigmoid': return { local: y * (1 - y), text: `${self}(1 − ${self})` };
    case 'sin': return { local: Math.cos(a.data), text: `cos(${A})` };
    case 'cos': return { local: -Math.sin(a.data), text: `−sin(${A})` };
  }
  throw new Error(`graph lab: unknown op '${op}'`);
}

/** `g · local` written for a rule: the factor 1 dropped, −1 as a sign, a sum in parentheses. */
export function product(factor: string, local: string): string {
  if (local === '1') return factor;
  if (local === '−1') return `−${factor}`;
  // A + or − outside parentheses needs them: v̄9 · (1 − v9²).
  let depth = 0;
  let sum = false;
  for (let i = 0; i < local.length; i++) {
    const c = local[i]!;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && i > 0 && (c === '+' || c === '−') && local[i - 1] === ' ') sum = true;
  }
  return `${factor} · ${sum ? `(${local})` : local}`;
}

/** Joins rule terms with + and −. */
export function sumTerms(terms: readonly string[]): string {
  if (terms.length === 0) return '0';
  return terms.reduce((acc, t) => (t.startsWith('−') ? `${acc} − ${t.slice(1)}` : `${acc} + ${t}`));
}

/**
 * Parses and evaluates `text` at `values` and builds the model. Throws the
 * parser's `ExpressionSyntaxError` for bad input, and an `AdjointError` naming a
 * variable without a value.
 *
 * @example
 * const m = buildGraph('(x + y) * sin(x)', { x: 2, y: 3 });
 * m.gradient; // [{ name: 'x', value: -1.1714… }, { name: 'y', value: 0.9093… }]
 */
export function buildGraph(text: string, values: Readonly<Record<string, number>>): GraphModel {
  const ast = parseExpression(text);
  const names = variables(ast);
  const leaves: Record<string, Value> = {};
  for (const name of names) {
    const x = values[name];
    if (typeof x !== 'number') throw new Error(`no value for the variable '${name}'`);
    leaves[name] = new Value(x, name);
  }

  // Number the nodes: inputs in variable order, then every node the first time
  // evaluation reports it (its constant leaves just before it).
  const order: Value[] = names.map((n) => leaves[n]!);
  const seen = new Set<Value>(order);
  const valueOf = new Map<ExprNode, Value>();
  const out = evaluate(ast, leaves, {
    onNode: (n, r) => {
      if (typeof r === 'number') return;
      valueOf.set(n, r);
      for (const c of r.children) {
        if (!seen.has(c)) {
          seen.add(c);
          order.push(c);
        }
      }
      if (!seen.has(r)) {
        seen.add(r);
        order.push(r);
      }
    },
  });
  if (!seen.has(out)) {
    // A constant expression: one leaf.
    seen.add(out);
    order.push(out);
  }
  const all = topoSort(out);
  if (all.length !== order.length || all.some((v) => !seen.has(v))) {
    throw new Error('graph lab: the numbering missed nodes of the graph');
  }
  const indexOf = new Map<Value, number>(order.map((v, i) => [v, i]));
  const nameOf = (v: Value): string => `v${indexOf.get(v)! + 1}`;

  out.backward();

  const nodes: GraphNode[] = order.map((v, index) => {
    const isInput = v.op === '' && names.includes(v.label) && leaves[v.label] === v;
    const kind: NodeKind = v.op !== '' ? 'op' : isInput ? 'input' : 'constant';
    const { formula, operation } = formulaOf(v, nameOf);
    return {
      index,
      name: `v${index + 1}`,
      kind,
      variable: isInput ? v.label : '',
      op: v.op,
      formula: kind === 'input' ? v.label : kind === 'constant' ? num(v.data) : formula,
      operation: kind === 'input' ? 'input' : kind === 'constant' ? 'constant' : operation,
      children: v.children.map((c) => indexOf.get(c)!),
      value: v.data,
      adjoint: v.grad,
    };
  });

  const edges: GraphEdge[] = [];
  order.forEach((v, parent) => {
    v.children.forEach((c, slot) => {
      const { local, text: localText } = localDerivative(v, slot, nameOf);
      edges.push({ index: edges.length, child: indexOf.get(c)!, parent, slot, local, localText });
    });
  });

  const output = indexOf.get(out)!;
  const reverseOrder = reverseSweepOrder(nodes, output);
  const parentsOf = (i: number): GraphEdge[] => edges.filter((e) => e.child === i);

  const forwardRows: ForwardRow[] = nodes.map((n) => ({
    node: n.index,
    step: `${n.name} = ${n.formula}`,
    operation: n.operation,
    value: n.value,
  }));

  const adjointRows: AdjointRow[] = reverseOrder.map((i) => {
    const n = nodes[i]!;
    const rule = i === output ? '1 (seed)' : sumTerms(parentsOf(i).map((e) => product(`v̄${e.parent + 1}`, e.localText)));
    const wrt = n.kind === 'input' ? n.variable : n.name;
    return { node: i, step: `v̄${i + 1}`, adjoint: `∂f/∂${wrt}`, value: n.adjoint, rule };
  });

  const f = compileExpression(ast, names);
  const xs = names.map((n) => values[n]!);
  const rev = countReverseMode(f, xs);
  const fwd = countForwardMode(f, xs);
  const counts: ModeCounts = {
    graph: countOps(out),
    reverse: { passes: rev.passes, forward: rev.forward, backward: rev.backward, total: rev.total, gradient: rev.gradient },
    forward: { passes: fwd.passes, forward: fwd.forward, tangent: fwd.tangent, total: fwd.total, gradient: fwd.gradient },
  };

  const tangents = (seed: string): { rows: TangentRow[]; tangent: number[]; derivative: number } => {
    // One forward-mode pass with the engine's Dual: pair each tree node's Dual with its Value node.
    const tangent = new Array<number>(nodes.length).fill(0);
    const duals: Record<string, Dual> = {};
    for (const name of names) duals[name] = new Dual(values[name]!, name === seed ? 1 : 0);
    const result = evaluateDual(ast, duals, undefined, {
      onNode: (n, r) => {
        const v = valueOf.get(n);
        if (v !== undefined && r instanceof Dual) tangent[indexOf.get(v)!] = r.tangent;
      },
    });
    const rows: TangentRow[] = nodes.map((n) => {
      let rule: string;
      if (n.kind === 'input') rule = n.variable === seed ? '1 (seed)' : '0';
      else if (n.kind === 'constant') rule = '0';
      else {
        const ins = edges.filter((e) => e.parent === n.index);
        rule = sumTerms(ins.map((e) => product(`v̇${e.child + 1}`, e.localText)));
      }
      return { node: n.index, step: `v̇${n.index + 1}`, rule, value: n.value, tangent: tangent[n.index]! };
    });
    return { rows, tangent, derivative: result.tangent };
  };

  return {
    text,
    variables: names,
    values: { ...values },
    nodes,
    edges,
    output,
    forwardOrder: nodes.map((n) => n.index),
    reverseOrder,
    forwardRows,
    adjointRows,
    gradient: names.map((name) => ({ name, value: leaves[name]!.grad })),
    counts,
    tangents,
  };
}

/**
 * The order the reverse pass visits nodes: from the output, breadth first, a node
 * once all its parents are done (Kahn's algorithm); inputs are held back to the
 * end and listed in order. For (x + y)·sin x this is v5, v3, v4, v1, v2 — the
 * chapter's adjoint table.
 */
function reverseSweepOrder(nodes: readonly GraphNode[], output: number): number[] {
  const pending = new Array<number>(nodes.length).fill(0);
  for (const n of nodes) for (const c of n.children) pending[c]!++;
  const order: number[] = [];
  const leaves: number[] = [];
  const queue: number[] = [output];
  while (queue.length > 0) {
    const i = queue.shift()!;
    const n = nodes[i]!;
    if (n.kind === 'op' || i === output) order.push(i);
    else leaves.push(i);
    for (const c of n.children) if (--pending[c]! === 0) queue.push(c);
  }
  leaves.sort((a, b) => a - b);
  return [...order, ...leaves.filter((i) => i !== output)];
}
