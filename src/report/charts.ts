/**
 * What the report's charts show, as data: each chart a title, axis names and named series of points,
 * drawn in the page by Chart.js (./page-script.ts). Builders for the run's curves and a
 * classifier's ROC and precision–recall curves (src/metrics/probability-report.ts).
 */
import type { Point, RunSeries } from './series.js';

export interface ChartSeries {
  readonly label: string;
  readonly points: readonly Point[];
}

export interface ChartSpec {
  /** The canvas id, unique in the page. */
  readonly id: string;
  readonly title: string;
  readonly x: string;
  readonly y: string;
  readonly series: readonly ChartSeries[];
  /** A logarithmic y axis (norm ratios). */
  readonly logY?: boolean;
  /** Fixed axis ranges (ROC/PR: [0, 1]). */
  readonly unitSquare?: boolean;
}

const seriesOf = (curves: Readonly<Record<string, readonly Point[]>>): ChartSeries[] =>
  Object.entries(curves)
    .filter(([, points]) => points.length > 0)
    .map(([label, points]) => ({ label, points }));

/** A canvas id from free text: letters, digits and '-'. */
export const chartId = (...parts: string[]): string => parts.join('-').replace(/[^A-Za-z0-9-]+/g, '_');

/** The training charts: total and per-task loss, learning rate, task weights (those with points). */
export function trainingCharts(s: RunSeries): ChartSpec[] {
  const charts: ChartSpec[] = [
    {
      id: 'train-loss',
      title: 'Training loss',
      x: 'step',
      y: 'loss',
      series: [{ label: 'total (weighted)', points: s.loss }, ...seriesOf(s.taskLoss)],
    },
    {
      id: 'learning-rate',
      title: 'Learning rate',
      x: 'step',
      y: 'learning rate',
      series: [{ label: 'learning rate', points: s.learningRate }],
    },
    { id: 'task-weights', title: 'Task weights', x: 'step', y: 'loss weight', series: seriesOf(s.taskWeight) },
    { id: 'eval-loss', title: 'Dev loss per task', x: 'step', y: 'loss', series: seriesOf(s.evalLoss) },
  ];
  return charts.filter((c) => c.series.some((x) => x.points.length > 0));
}

/** One chart per task (or joint stream) of its dev metrics over training. */
export function evalCharts(s: RunSeries): ChartSpec[] {
  return Object.entries(s.evalMetrics).map(([task, metrics]) => ({
    id: chartId('eval', task),
    title: `Dev metrics: ${task}`,
    x: 'step',
    y: 'value',
    series: seriesOf(metrics),
  }));
}

/** The task-conflict charts: pairwise gradient cosine and norm ratio over training (none without samples). */
export function conflictCharts(s: RunSeries): ChartSpec[] {
  if (Object.keys(s.conflictCosine).length === 0) return [];
  return [
    {
      id: 'conflict-cosine',
      title: 'Gradient cosine similarity between tasks (shared backbone)',
      x: 'step',
      y: 'cosine',
      series: seriesOf(s.conflictCosine),
    },
    {
      id: 'conflict-norm-ratio',
      title: 'Gradient norm ratio ‖g_a‖ / ‖g_b‖',
      x: 'step',
      y: 'ratio (log scale)',
      series: seriesOf(s.conflictNormRatio),
      logY: true,
    },
  ];
}

/** One class's curves, as src/metrics/probability-report.ts gives them. */
export interface ClassCurvePoints {
  readonly label: string;
  readonly roc: { readonly fpr: readonly number[]; readonly tpr: readonly number[]; readonly auc: number };
  readonly pr: { readonly precision: readonly number[]; readonly recall: readonly number[]; readonly averagePrecision: number };
}

const zip = (x: readonly number[], y: readonly number[]): Point[] => x.map((v, i) => ({ x: v, y: y[i]! }));

/** A task's one-vs-rest ROC and precision–recall charts, one series per class (its area in the legend). */
export function curveCharts(task: string, curves: readonly ClassCurvePoints[]): ChartSpec[] {
  if (curves.length === 0) return [];
  return [
    {
      id: chartId('roc', task),
      title: `ROC (one vs rest): ${task}`,
      x: 'false positive rate',
      y: 'true positive rate',
      unitSquare: true,
      series: curves.map((c) => ({ label: `${c.label} (AUC ${c.roc.auc.toFixed(3)})`, points: zip(c.roc.fpr, c.roc.tpr) })),
    },
    {
      id: chartId('pr', task),
      title: `Precision–recall (one vs rest): ${task}`,
      x: 'recall',
      y: 'precision',
      unitSquare: true,
      series: curves.map((c) => ({
        label: `${c.label} (AP ${c.pr.averagePrecision.toFixed(3)})`,
        points: zip(c.pr.recall, c.pr.precision),
      })),
    },
  ];
}
