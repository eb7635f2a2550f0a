/**
 * `adjoint/viz`: computational graphs (DOT, and SVG through the WASM Graphviz
 * build `@viz-js/viz`) and plots (line, log-log, decision boundary) as plain SVG.
 *
 * @example
 * import { drawGraph, linePlot, writeSvg } from 'adjoint/viz';
 * await writeSvg('out/graph.svg', await drawGraph(loss));
 */
export {
  toDot,
  renderSvg,
  drawGraph,
  topoOrder,
  GRAPH_COLORS,
  type GraphNode,
  type DotOptions,
} from './graph.js';
export {
  linePlot,
  type Series,
  type VLine,
  type Annotation,
  type LegendLoc,
  type LinePlotOptions,
} from './plot.js';
export {
  decisionBoundaryPlot,
  marchingSquares,
  divergingColor,
  type DecisionBoundaryOptions,
  type LabelledPoint,
  type Polyline,
} from './boundary.js';
export { writeSvg } from './file.js';
export { COLORS, type Marker } from './svg.js';
