/**
 * `einsum`: Einstein summation over any equation PyTorch accepts (implicit
 * output, repeated subscripts within one operand, subscripts summed away,
 * `...` broadcasting, size-1 broadcasting of a subscript), contracted
 * operand by operand, left to right, each pair as one batched matmul
 * (permute + reshape): no per-element loops, and no derivative code.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, resultType } from '../tensor/index.js';
import { asType } from './elementwise.js';
import { matmul } from './linalg.js';
import { diagonal } from './manipulation.js';
import { sum } from './reduction.js';
import { expand, permute, reshape } from './shape.js';
import { traced } from './trace.js';

const OP = 'einsum';
/** Subscripts `A-Z` are labels 0..25, `a-z` 26..51 (ASCII order, for the implicit output); `...` dims are 52 + k. */
const ELLIPSIS_BASE = 52;

function labelOf(ch: string, at: number): number {
  const c = ch.charCodeAt(0);
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 97 + 26;
  throw new RangeArgError(OP, `invalid subscript '${ch}' at index ${at} of the equation: subscripts must be letters a-z or A-Z (or '...')`);
}

function nameOf(label: number): string {
  return label >= ELLIPSIS_BASE ? '...' : String.fromCharCode(label < 26 ? 65 + label : 97 + label - 26);
}

interface Term {
  labels: number[];
  /** Where `...` stands in `labels` (-1 if absent). */
  ellipsisAt: number;
}

/** Parses one term (`ij`, `...ij`, `b...`) starting at `offset` in the equation. */
function parseTerm(term: string, offset: number): Term {
  const labels: number[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '.') {
      if (term.slice(i, i + 3) !== '...' || ellipsisAt !== -1) {
        throw new RangeArgError(OP, `invalid '.' at index ${offset + i} of the equation: an ellipsis is '...' and appears at most once per operand`);
      }
      ellipsisAt = labels.length;
      i += 2;
    } else labels.push(labelOf(term[i]!, offset + i));
  }
  return { labels, ellipsisAt };
}

/** One operand with one label per dim. */
interface Operand {
  t: Tensor;
  labels: number[];
}

/** Labels per dim of operand `k` (ellipsis dims right-aligned to `nEll` dims). */
function expandTerm(term: Term, x: Tensor, k: number, nEll: number): number[] {
  const nEllHere = x.ndim - term.labels.length;
  if (term.ellipsisAt === -1 ? nEllHere !== 0 : nEllHere < 0) {
    throw new ShapeError(
      OP,
      `operand ${k} has shape ${fmtShape(x.shape)} (${x.ndim} dims) but its subscripts name ${term.labels.length} dims${term.ellipsisAt === -1 ? ' and no ellipsis was given' : ''}`,
    );
  }
  if (term.ellipsisAt === -1) return term.labels;
  const ell = Array.from({ length: nEllHere }, (_, i) => ELLIPSIS_BASE + nEll - nEllHere + i);
  return [...term.labels.slice(0, term.ellipsisAt), ...ell, ...term.labels.slice(term.ellipsisAt)];
}

/** Takes diagonals until every label of the operand is distinct. */
function distinct(op: Operand): Operand {
  let { t, labels } = op;
  for (;;) {
    const i = labels.findIndex((l, k) => labels.indexOf(l) !== k);
    if (i === -1) return { t, labels };
    const first = labels.indexOf(labels[i]!);
    if (t.shape[first] !== t.shape[i]) {
      throw new ShapeError(OP, `subscript ${nameOf(labels[i]!)} is repeated in one operand over dims of sizes ${t.shape[first]} and ${t.shape[i]}`);
    }
    t = diagonal(t, { dim1: first, dim2: i });
    labels = [...labels.filter((_, k) => k !== first && k !== i), labels[i]!];
  }
}

/** Sums the labels of `op` that are not in `keep`. */
function sumAway(op: Operand, keep: ReadonlySet<number>): Operand {
  const dims = op.labels.flatMap((l, d) => (keep.has(l) ? [] : [d]));
  if (dims.length === 0) return op;
  return { t: sum(op.t, dims), labels: op.labels.filter((l) => keep.has(l)) };
}

/** `op` permuted to `order` (labels it lacks are skipped) and broadcast to the sizes in `size`. */
function arrange(op: Operand, order: readonly number[], size: ReadonlyMap<number, number>): Tensor {
  const have = order.filter((l) => op.labels.includes(l));
  const p = permute(op.t, have.map((l) => op.labels.indexOf(l)));
  const target = have.map((l) => size.get(l)!);
  return target.some((n, i) => n !== p.shape[i]) ? expand(p, target) : p;
}

/** The contraction of two operands into one with the labels in `keep`, as a batched matmul. */
function contract(a: Operand, b: Operand, keep: ReadonlySet<number>, size: ReadonlyMap<number, number>): Operand {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const freeA = a.labels.filter((l) => !inB.has(l));
  const freeB = b.labels.filter((l) => !inA.has(l));
  const n = (ls: readonly number[]): number => ls.reduce((p, l) => p * size.get(l)!, 1);
  const ta = reshape(arrange(a, [...batch, ...freeA, ...summed], size), [n(batch), n(freeA), n(summed)]);
  const tb = reshape(arrange(b, [...batch, ...summed, ...freeB], size), [n(batch), n(summed), n(freeB)]);
  const labels = [...batch, ...freeA, ...freeB];
  return { t: reshape(matmul(ta, tb), labels.map((l) => size.get(l)!)), labels };
}

/**
 * Einstein summation: `einsum('ij,jk->ik', a, b)` is `a @ b`. Subscripts are
 * letters; a subscript repeated within one operand takes a diagonal; ones
 * missing from the output are summed; without `->` the output is the
 * subscripts that appear once, in ASCII order (upper case first), after the
 * `...` dims; `...` stands for broadcast dims. Size-1 dims broadcast.
 *
 * @example
 * einsum('ij,jk->ik', a, b);     // matmul
 * einsum('bij,bjk->bik', a, b);  // bmm
 * einsum('ii', m);               // trace
 * einsum('...ij->...ji', x);     // batched transpose
 * einsum('i,j', u, v);           // outer product
 */
export function einsum(equation: string, ...tensors: Tensor[]): Tensor {
  return traced('einsum', { equation }, tensors, () => einsumBody(equation, tensors));
}

/** The body of `einsum`. */
function einsumBody(equation: string, tensors: readonly Tensor[]): Tensor {
  if (typeof equation !== 'string') throw new DTypeError(OP, `expected the equation as a string first, got ${typeof equation}`);
  tensors.forEach((t, k) => {
    if (!(t instanceof Tensor)) throw new DTypeError(OP, `operand ${k} is not a Tensor (got ${Array.isArray(t) ? 'an array' : typeof t})`);
  });
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow === -1 ? eq : eq.slice(0, arrow);
  const termsText = lhs.split(',');
  if (termsText.length !== tensors.length) {
    throw new RangeArgError(OP, `the equation '${equation}' has ${termsText.length} operand${termsText.length === 1 ? '' : 's'} but ${tensors.length} tensor${tensors.length === 1 ? ' was' : 's were'} given`);
  }
  if (tensors.length === 0) throw new RangeArgError(OP, 'expected at least one operand');
  let at = 0;
  const terms = termsText.map((s) => {
    const t = parseTerm(s, at);
    at += s.length + 1;
    return t;
  });
  const nEll = Math.max(0, ...terms.map((t, k) => (t.ellipsisAt === -1 ? 0 : tensors[k]!.ndim - t.labels.length)));
  const dt = resultType(tensors);
  if (dt === 'bool') throw new DTypeError(OP, 'expected numeric tensors, got bool');
  // Diagonals first: a subscript repeated within one operand needs equal sizes (no broadcasting).
  let ops: Operand[] = terms.map((t, k) => distinct({ t: asType(tensors[k]!, dt), labels: expandTerm(t, tensors[k]!, k, nEll) }));

  // Sizes, with size-1 broadcasting.
  const size = new Map<number, number>();
  ops.forEach(({ t, labels }, k) => {
    labels.forEach((l, d) => {
      const n = t.shape[d]!;
      const seen = size.get(l);
      if (seen === undefined || seen === 1) size.set(l, n);
      else if (n !== 1 && n !== seen) {
        throw new ShapeError(OP, `subscript ${nameOf(l)} has size ${n} for operand ${k} (shape ${fmtShape(t.shape)}), which does not broadcast with size ${seen} seen before`);
      }
    });
  });

  // The output labels.
  let out: number[];
  const ellLabels = Array.from({ length: nEll }, (_, i) => ELLIPSIS_BASE + i);
  if (arrow === -1) {
    const count = new Map<number, number>();
    terms.forEach((t) => t.labels.forEach((l) => count.set(l, (count.get(l) ?? 0) + 1)));
    out = [...ellLabels, ...[...count].filter(([, c]) => c === 1).map(([l]) => l).sort((p, q) => p - q)];
  } else {
    const rhs = parseTerm(eq.slice(arrow + 2), arrow + 2);
    const all = new Set(terms.flatMap((t) => t.labels));
    rhs.labels.forEach((l, i) => {
      if (rhs.labels.indexOf(l) !== i) throw new RangeArgError(OP, `output subscript ${nameOf(l)} appears more than once in the output`);
      if (!all.has(l)) throw new RangeArgError(OP, `output subscript ${nameOf(l)} does not appear in any input operand`);
    });
    if (rhs.ellipsisAt !== -1 && !terms.some((t) => t.ellipsisAt !== -1)) {
      throw new RangeArgError(OP, "the output has '...' but no input operand does");
    }
    out = rhs.ellipsisAt === -1 ? rhs.labels : [...rhs.labels.slice(0, rhs.ellipsisAt), ...ellLabels, ...rhs.labels.slice(rhs.ellipsisAt)];
  }
  const outSet = new Set(out);

  // Sums of labels no other operand (nor the output) needs.
  const neededBy = (skip: number, from: number): Set<number> => {
    const s = new Set(outSet);
    ops.forEach((o, k) => {
      if (k !== skip && k >= from) o.labels.forEach((l) => s.add(l));
    });
    return s;
  };
  ops = ops.map((o, k) => sumAway(o, neededBy(k, 0)));

  // Pairwise, left to right.
  let acc = ops[0]!;
  for (let k = 1; k < ops.length; k++) {
    acc = contract(acc, ops[k]!, neededBy(k, k + 1), size);
  }
  acc = sumAway(acc, outSet);
  return reshape(arrange(acc, out, size), out.map((l) => size.get(l)!));
}
