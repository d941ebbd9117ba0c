/** Run reports: the curves of a run's log, the HTML page `mtl report` writes. */
export { writeRunReport, type RunReportOptions } from './run-report.js';
export { renderRunReport, type RunReportInput } from './page.js';
export { runSeries, type RunSeries, type Point } from './series.js';
