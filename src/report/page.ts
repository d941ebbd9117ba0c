/**
 * `mtl report`'s page: one self-contained HTML file (Chart.js and the data inlined; no network) with
 * the run's summary, training curves (total and per-task loss, learning rate, task weights, dev loss),
 * each task's dev metrics over training, the task-conflict picture (pairwise gradient cosine and
 * norm ratio on the shared backbone, with the probe's measured cost), and each task's detailed report
 * of the evaluated checkpoint (per-label scores, confusion matrix, ROC and precision–recall curves).
 */
import { conflictCharts, curveCharts, evalCharts, trainingCharts, type ChartSpec, type ClassCurvePoints } from './charts.js';
import { chartJsSource, DRAW_SCRIPT } from './page-script.js';
import type { RunSeries } from './series.js';
import { escapeHtml } from '../html-escape.js';
import { classificationTable, confusionTable, entityTable } from './tables.js';
import type { ClassificationReport, ConfusionMatrix, TypedEntityScores } from '../metrics/index.js';

/** What the page shows. */
export interface RunReportInput {
  readonly title: string;
  readonly series: RunSeries;
  /** The run's `start` record's facts shown in the summary (key → text). */
  readonly summary: Readonly<Record<string, string>>;
  /** task → its type's report (`mtl eval --report`'s), of the checkpoint evaluated on `reportSplit`. */
  readonly reports?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly reportSource?: string;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const canvas = (c: ChartSpec) => `<canvas id="${c.id}" width="560" height="320"></canvas>`;
const grid = (charts: readonly ChartSpec[]) => `<div class="charts">${charts.map(canvas).join('')}</div>`;

/** The cost line of the conflict probe: median seconds per sample, and as a share of training time. */
function conflictCost(series: RunSeries, every: number | null): string {
  const probe = median(series.conflictSeconds);
  const step = median(series.stepSeconds);
  if (!Number.isFinite(probe)) return '';
  const share = every !== null && Number.isFinite(step) ? ` = ${((100 * probe) / (every * step)).toFixed(1)} % of the training time` : '';
  const per = Number.isFinite(step) ? ` (a training step: ${step.toFixed(3)} s)` : '';
  return `<p class="cost" id="conflict-cost">Measured cost: ${probe.toFixed(3)} s per sample (median of ${series.conflictSeconds.length})${per}, every ${every ?? '?'} steps${share}.</p>`;
}

/** A task's detailed report: tables and curve charts (the same duck-typed fields as src/eval/report-text.ts reads). */
function taskSection(task: string, report: Readonly<Record<string, unknown>>, charts: ChartSpec[]): string {
  let html = `<section class="task" data-task="${escapeHtml(task)}"><h3>${escapeHtml(task)}</h3>`;
  if (typeof report.report === 'object' && report.report !== null) html += classificationTable(report.report as ClassificationReport);
  if (typeof report.entities === 'object' && report.entities !== null) html += entityTable(report.entities as TypedEntityScores);
  if (typeof report.surfaceForms === 'object' && report.surfaceForms !== null)
    html += `<h4>Surface forms (each distinct entity string once)</h4>${entityTable(report.surfaceForms as TypedEntityScores)}`;
  const confusion = (report.confusion ?? report.tagConfusion) as ConfusionMatrix | undefined;
  if (confusion !== undefined && Array.isArray(confusion.matrix))
    html += `<h4>Confusion matrix</h4><div class="scroll">${confusionTable(confusion)}</div>`;
  if (Array.isArray(report.curves)) {
    const curves = curveCharts(task, report.curves as ClassCurvePoints[]);
    charts.push(...curves);
    html += grid(curves);
  }
  return `${html}</section>`;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; } h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } canvas { border: 1px solid #eee; }
table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #ddd; padding: 2px 6px; text-align: right; }
th { background: #f6f6f6; } tr.avg th, tr.avg td { font-weight: 600; } .scroll { overflow-x: auto; }
table.confusion th.col { writing-mode: vertical-rl; transform: rotate(180deg); }
dl.summary { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; } dt { font-weight: 600; }
`;

/**
 * The report page as HTML text, from what `input` holds (writeRunReport reads a run folder into it):
 * self-contained, Chart.js and the data inlined, so it opens from disk without a network.
 */
export function renderRunReport(input: RunReportInput): string {
  const s = input.series;
  const charts: ChartSpec[] = [];
  const section = (id: string, title: string, body: string) => `<section id="${id}"><h2>${title}</h2>${body}</section>`;
  const training = trainingCharts(s);
  const evals = evalCharts(s);
  const conflicts = conflictCharts(s);
  charts.push(...training, ...evals, ...conflicts);
  const parts = [
    section(
      'summary',
      'Run',
      `<dl class="summary">${Object.entries(input.summary)
        .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
        .join('')}</dl>`,
    ),
    section('training', 'Training', grid(training)),
    evals.length > 0 ? section('evaluation', 'Dev metrics over training', grid(evals)) : '',
    conflicts.length > 0
      ? section(
          'conflict',
          'Task conflict',
          '<p>Per-task gradients on the shared backbone, on a fixed dev batch per stream: cosine &lt; 0 means the tasks pull the shared parameters apart; a norm ratio far from 1 means one task dominates the shared update.</p>' +
            conflictCost(s, s.conflictEvery) +
            grid(conflicts),
        )
      : '',
  ];
  if (input.reports !== undefined) {
    const tasks = Object.entries(input.reports).map(([task, r]) => taskSection(task, r, charts));
    parts.push(section('reports', `Per-task reports${input.reportSource ? ` (${escapeHtml(input.reportSource)})` : ''}`, tasks.join('')));
  }
  const data = JSON.stringify(charts).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(input.title)}</h1>
${parts.join('\n')}
<script id="chart-data" type="application/json">${data}</script>
<script>${chartJsSource()}</script>
<script>${DRAW_SCRIPT}</script>
</body></html>
`;
}
