/**
 * Computational graphs to Graphviz DOT and SVG, in micrograd's `draw_dot` style:
 * every value a record box `label | data 4.0000 | grad 7.0000`, every non-leaf fed
 * by an ellipse holding its op. Inputs are blue, ops red, the output green (the
 * chapter's colours).
 *
 * Works on a duck type, so `viz/` does not depend on the scalar engine.
 */

/** A node of a scalar graph, as `Value` exposes it. */
export interface GraphNode {
  readonly data: number;
  readonly grad: number;
  /** `''` for leaves, else the op: `'+'`, `'*'`, `'tanh'`, `'**2'`... */
  readonly op: string;
  readonly children: readonly GraphNode[];
  /** User-given name, or `''`. */
  readonly label: string;
}

/** Options of {@link toDot}. */
export interface DotOptions {
  /** Layout direction: `'LR'` (default, left to right), `'TB'`, `'RL'`, `'BT'`. */
  rankdir?: 'LR' | 'TB' | 'RL' | 'BT';
  /** Show each node's `grad` (default true). */
  showGrad?: boolean;
  /** A caption above the graph. */
  title?: string;
  /** Number format (default four decimals, like micrograd). */
  format?: (x: number) => string;
}

/** Fill and border colours: the chapter's blue, red and green, lightened so text reads. */
export const GRAPH_COLORS = {
  input: { fill: '#D6EAF8', border: '#3498DB' },
  op: { fill: '#FADBD8', border: '#E74C3C' },
  output: { fill: '#D5F5E3', border: '#27AE60' },
  value: { fill: '#FFFFFF', border: '#7F8C8D' },
} as const;

/** Escapes text for a DOT double-quoted string (not a record label). */
function dotString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n');
}

/** Escapes one field of a record label: the record syntax `{ } | < >` as well. */
function recordField(text: string): string {
  return dotString(text).replace(/[{}|<>]/g, (c) => `\\${c}`);
}

/**
 * Every node reachable from `root` once, inputs before the nodes that use them
 * (an iterative depth-first post-order: no recursion, so deep graphs are fine).
 *
 * @example
 * topoOrder(loss).length; // number of distinct nodes under loss
 */
export function topoOrder(root: GraphNode): GraphNode[] {
  const order: GraphNode[] = [];
  const seen = new Set<GraphNode>([root]);
  const stack: [GraphNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, next] = top;
    if (next < node.children.length) {
      top[1] = next + 1;
      const child = node.children[next]!;
      if (!seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

/**
 * The computational graph under `root` as a Graphviz DOT string. Each node
 * appears once (identity, not value), leaves are inputs, `root` is the output.
 *
 * @example
 * const x = new Value(2), y = new Value(3);
 * const z = x.mul(y).add(x.mul(x).relu());   // the chapter's test 1
 * z.backward();
 * const dot = toDot(z);   // digraph G { rankdir=LR; ... n0 [shape=record ... label="{ data 2.0000 | grad 7.0000 }"] ...
 * const svg = await renderSvg(dot);
 */
export function toDot(root: GraphNode, options: DotOptions = {}): string {
  const { rankdir = 'LR', showGrad = true, title } = options;
  const format = options.format ?? ((x: number) => x.toFixed(4));
  const nodes = topoOrder(root);
  const id = new Map<GraphNode, string>();
  nodes.forEach((n, i) => id.set(n, `n${i}`));
  // With LR/RL layouts a record's fields stack vertically unless wrapped in braces.
  const horizontal = rankdir === 'LR' || rankdir === 'RL';

  const lines: string[] = [
    'digraph G {',
    `  rankdir=${rankdir};`,
    '  bgcolor="white";',
    '  node [fontname="Helvetica" fontsize=12];',
    '  edge [color="#2C3E50" arrowsize=0.7];',
  ];
  if (title !== undefined) {
    lines.push(`  label="${dotString(title)}"; labelloc=t; fontname="Helvetica-Bold"; fontsize=16;`);
  }
  for (const n of nodes) {
    const nid = id.get(n)!;
    const fields: string[] = [];
    if (n.label !== '') fields.push(recordField(n.label));
    fields.push(recordField(`data ${format(n.data)}`));
    if (showGrad) fields.push(recordField(`grad ${format(n.grad)}`));
    const body = fields.join(' | ');
    const record = horizontal ? `{ ${body} }` : body;
    const kind = n === root ? 'output' : n.op === '' ? 'input' : 'value';
    const c = GRAPH_COLORS[kind];
    lines.push(
      `  ${nid} [shape=record style="rounded,filled" fillcolor="${c.fill}" color="${c.border}" penwidth=1.4 label="${record}"];`,
    );
    if (n.op !== '') {
      const o = GRAPH_COLORS.op;
      lines.push(
        `  ${nid}_op [shape=ellipse style=filled fillcolor="${o.fill}" color="${o.border}" penwidth=1.4 label="${dotString(n.op)}"];`,
      );
      lines.push(`  ${nid}_op -> ${nid};`);
    }
  }
  for (const n of nodes) {
    if (n.op === '') continue;
    for (const child of n.children) lines.push(`  ${id.get(child)!} -> ${id.get(n)!}_op;`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

interface VizInstance {
  renderString(input: string, options?: { format?: string; engine?: string }): string;
}

let vizInstance: Promise<VizInstance> | undefined;

async function loadViz(): Promise<VizInstance> {
  if (!vizInstance) {
    vizInstance = (async () => {
      let mod: { instance(): Promise<VizInstance> };
      try {
        mod = (await import('@viz-js/viz')) as unknown as { instance(): Promise<VizInstance> };
      } catch (cause) {
        throw new Error(
          'renderSvg: Graphviz is not available: the optional package @viz-js/viz (Graphviz compiled to WebAssembly) ' +
            'could not be loaded. Install it with `npm install @viz-js/viz`, or render the DOT from toDot() with the ' +
            '`dot` command (`dot -Tsvg graph.dot -o graph.svg`).',
          { cause },
        );
      }
      return mod.instance();
    })();
    // A failed load is not cached: installing the package and calling again works.
    vizInstance.catch(() => {
      vizInstance = undefined;
    });
  }
  return vizInstance;
}

/**
 * Lays out a DOT graph with Graphviz (the WebAssembly build in the optional
 * package `@viz-js/viz`, loaded on first use and cached) and returns the SVG.
 * Throws, saying how to install it, when the package is missing.
 *
 * @example
 * const svg = await renderSvg('digraph { a -> b }');
 * await writeSvg('out/graph.svg', svg);
 */
export async function renderSvg(dot: string): Promise<string> {
  const viz = await loadViz();
  try {
    return viz.renderString(dot, { format: 'svg', engine: 'dot' });
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`renderSvg: Graphviz could not lay out the graph: ${detail}`, { cause });
  }
}

/**
 * `toDot` then `renderSvg`: the computational graph under `root` as SVG.
 *
 * @example
 * const a = new Value(2), b = new Value(-3);
 * const L = a.mul(b).tanh();
 * L.backward();
 * await writeSvg('out/graph.svg', await drawGraph(L, { title: 'tanh(a * b)' }));
 */
export async function drawGraph(root: GraphNode, options: DotOptions = {}): Promise<string> {
  return renderSvg(toDot(root, options));
}
