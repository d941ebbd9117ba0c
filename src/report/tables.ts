/**
 * The report's tables as HTML: a classifier's per-label precision / recall / F1 (scikit-learn's
 * classification_report rows), per-type entity scores (conlleval's), and confusion matrices shaded by
 * each gold row's share. Cells carry data attributes (`data-label`, `data-metric`, `data-gold`,
 * `data-predicted`) so what the page shows can be read back.
 */
import { escapeHtml } from '../html-escape.js';
import type { ClassificationReport, ConfusionMatrix, Scores, TypedEntityScores } from '../metrics/index.js';

const cell = (metric: string, x: number) => `<td data-metric="${metric}">${x.toFixed(4)}</td>`;

function scoreRow(label: string, s: Scores, cls = ''): string {
  return (
    `<tr${cls} data-label="${escapeHtml(label)}"><th>${escapeHtml(label)}</th>` +
    `${cell('precision', s.precision)}${cell('recall', s.recall)}${cell('f1', s.f1)}<td data-metric="support">${s.support}</td></tr>`
  );
}

/** Per-label precision, recall, F1 and support, then the averages (and accuracy when the report has it). */
export function classificationTable(report: ClassificationReport): string {
  const rows = report.classes.map((c) => scoreRow(String(c.label), c));
  const support = report.macroAvg.support;
  if (report.accuracy !== undefined)
    rows.push(
      `<tr class="avg" data-label="accuracy"><th>accuracy</th><td></td><td></td>${cell('f1', report.accuracy)}<td>${support}</td></tr>`,
    );
  if (report.microAvg !== undefined) rows.push(scoreRow('micro avg', report.microAvg, ' class="avg"'));
  rows.push(scoreRow('macro avg', report.macroAvg, ' class="avg"'), scoreRow('weighted avg', report.weightedAvg, ' class="avg"'));
  return `<table class="scores"><thead><tr><th>label</th><th>precision</th><th>recall</th><th>f1</th><th>support</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Per-type entity precision, recall, F1 and gold chunks, then the overall row. */
export function entityTable(entities: TypedEntityScores): string {
  const rows = [...Object.entries(entities.perType), ['overall', entities.overall] as const].map(([type, s]) =>
    scoreRow(type, { precision: s.precision, recall: s.recall, f1: s.f1, support: s.gold }, type === 'overall' ? ' class="avg"' : ''),
  );
  return `<table class="scores"><thead><tr><th>type</th><th>precision</th><th>recall</th><th>f1</th><th>gold</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The matrix, rows gold and columns predicted, each cell shaded by its share of the gold row. */
export function confusionTable(cm: ConfusionMatrix): string {
  const labels = cm.labels.map((l) => escapeHtml(String(l)));
  const head = `<tr><th class="corner">gold \\ predicted</th>${labels.map((l) => `<th class="col">${l}</th>`).join('')}</tr>`;
  const body = cm.matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((n, j) => {
      const share = total > 0 ? n / total : 0;
      const style =
        n > 0 ? ` style="background: rgba(${i === j ? '31, 119, 180' : '214, 39, 40'}, ${(0.1 + 0.9 * share).toFixed(3)})"` : '';
      return `<td data-gold="${labels[i]}" data-predicted="${labels[j]}"${style}>${n}</td>`;
    });
    return `<tr><th>${labels[i]}</th>${cells.join('')}</tr>`;
  });
  return `<table class="confusion"><thead>${head}</thead><tbody>${body.join('')}</tbody></table>`;
}
