/**
 * The playground's entry: three labs behind accessible tabs (arrow keys move
 * between tabs, the URL hash names the lab). A lab is built the first time it is
 * shown, so Graphviz (graph lab) and the training worker load only when needed.
 */
import './style.css';
import './labs.css';
import { createGraphLab } from './graph/lab.js';
import { createTrainingLab } from './train/lab.js';
import { createCheckLab } from './check/lab.js';

type LabId = 'graph' | 'training' | 'gradcheck';
const LABS: readonly LabId[] = ['graph', 'training', 'gradcheck'];
const builders: Record<LabId, () => void> = {
  graph: createGraphLab,
  training: createTrainingLab,
  gradcheck: createCheckLab,
};
const built = new Set<LabId>();

const tab = (id: LabId): HTMLButtonElement => document.getElementById(`tab-${id}`) as HTMLButtonElement;
const panel = (id: LabId): HTMLElement => document.getElementById(id)!;

function show(id: LabId, focusTab = false): void {
  for (const other of LABS) {
    const selected = other === id;
    tab(other).setAttribute('aria-selected', String(selected));
    tab(other).tabIndex = selected ? 0 : -1;
    panel(other).hidden = !selected;
  }
  if (focusTab) tab(id).focus();
  if (location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
  if (!built.has(id)) {
    built.add(id);
    builders[id]();
  }
  document.title = `${tab(id).textContent} · adjoint playground`;
}

function fromHash(): LabId {
  const h = location.hash.slice(1);
  return (LABS as readonly string[]).includes(h) ? (h as LabId) : 'graph';
}

for (const id of LABS) {
  tab(id).addEventListener('click', () => show(id));
  tab(id).addEventListener('keydown', (e) => {
    const i = LABS.indexOf(id);
    let next: LabId | null = null;
    if (e.key === 'ArrowRight') next = LABS[(i + 1) % LABS.length]!;
    else if (e.key === 'ArrowLeft') next = LABS[(i + LABS.length - 1) % LABS.length]!;
    else if (e.key === 'Home') next = LABS[0]!;
    else if (e.key === 'End') next = LABS[LABS.length - 1]!;
    if (next !== null) {
      e.preventDefault();
      show(next, true);
    }
  });
}
window.addEventListener('hashchange', () => show(fromHash()));
show(fromHash());
