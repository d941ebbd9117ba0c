/**
 * The text `mtl eval --report` prints for the people reading it: for each task whose type made a
 * report, its per-label table and confusion matrix (classification: scikit-learn's layout; tagging:
 * conlleval's per-type entity scores and the tag confusion matrix). The JSON file holds everything,
 * curves included.
 */
import {
  formatClassificationReport,
  formatConfusionMatrix,
  formatFixed,
  type ClassificationReport,
  type ConfusionMatrix,
  type TypedEntityScores,
} from '../metrics/index.js';

type Report = Readonly<Record<string, unknown>>;

const isConfusion = (x: unknown): x is ConfusionMatrix => typeof x === 'object' && x !== null && 'labels' in x && 'matrix' in x;

/** Per-type entity scores as a table (type, precision, recall, F1, gold chunks). */
function formatEntities(entities: TypedEntityScores): string {
  const rows = [...Object.entries(entities.perType), ['overall', entities.overall] as const];
  const width = Math.max(...rows.map(([name]) => name.length), 'type'.length);
  const cell = (x: number) => formatFixed(100 * x, 2).padStart(9);
  let text = `${'type'.padStart(width)} ${'precision'.padStart(9)} ${'recall'.padStart(9)} ${'f1'.padStart(9)} ${'gold'.padStart(6)}\n`;
  for (const [name, s] of rows)
    text += `${name.padStart(width)} ${cell(s.precision)} ${cell(s.recall)} ${cell(s.f1)} ${String(s.gold).padStart(6)}\n`;
  return text;
}

/** The printed form of `reports` (task → its type's report). */
export function formatReports(reports: Readonly<Record<string, Report>>): string {
  const parts: string[] = [];
  for (const [task, report] of Object.entries(reports)) {
    let text = `== ${task}\n`;
    if (typeof report.report === 'object' && report.report !== null)
      text += formatClassificationReport(report.report as ClassificationReport);
    if (typeof report.entities === 'object' && report.entities !== null) text += formatEntities(report.entities as TypedEntityScores);
    if (typeof report.surfaceForms === 'object' && report.surfaceForms !== null)
      text += `surface forms (each distinct entity string once, WNUT-17's second measure):\n${formatEntities(report.surfaceForms as TypedEntityScores)}`;
    const confusion = report.confusion ?? report.tagConfusion;
    if (isConfusion(confusion)) text += `\n${formatConfusionMatrix(confusion)}`;
    parts.push(text);
  }
  return parts.join('\n');
}
