/**
 * Run reports (the `multitask-lm/report` entry): the curves of a run's log (`runSeries` of its
 * metrics.jsonl records), the HTML page `mtl report` writes (`writeRunReport` for a run folder,
 * `renderRunReport` from the parts).
 */
export { writeRunReport, type RunReportOptions } from './run-report.js';
export { renderRunReport, type RunReportInput } from './page.js';
export { runSeries, type RunSeries, type Point } from './series.js';
