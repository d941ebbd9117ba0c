/**
 * What runs in the report page: Chart.js (the npm package's UMD build, inlined so the page needs no
 * network) and a short script that draws every chart of the page's JSON data. After drawing, each
 * canvas is read back: `data-points` (points given to Chart.js), `data-series` (legend labels,
 * '|'-joined) and `data-line-pixels` (pixels of the plot area painted in a series' exact colour: the lines drawn);
 * `<body data-charts>` counts the charts drawn. Tests (headless Chromium) read these attributes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Matplotlib's tab10 colours, one per series in order. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Chart.js's UMD build (defines `window.Chart` with every chart type registered). */
export function chartJsSource(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js'); // <package>/dist/chart.cjs
  return readFileSync(path.join(path.dirname(entry), 'chart.umd.min.js'), 'utf8').replaceAll('</script', '<\\/script');
}

/** The drawing script; reads the JSON of `<script id="chart-data">` (ChartSpec[], ./charts.ts). */
export const DRAW_SCRIPT = `
(function () {
  var palette = ${JSON.stringify(PALETTE)};
  var specs = JSON.parse(document.getElementById('chart-data').textContent);
  var drawn = 0;
  function rgb(hex) { return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); }); }
  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    var colours = spec.series.map(function (_, i) { return palette[i % palette.length]; });
    var chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: spec.series.map(function (s, i) {
        return { label: s.label, data: s.points, borderColor: colours[i], backgroundColor: colours[i], borderWidth: 2,
                 pointRadius: s.points.length > 40 ? 0 : 2, tension: 0, stepped: false };
      }) },
      options: {
        animation: false, responsive: false, parsing: false, normalized: true,
        plugins: { title: { display: true, text: spec.title }, legend: { position: 'bottom' } },
        scales: {
          x: { type: 'linear', title: { display: true, text: spec.x }, min: spec.unitSquare ? 0 : undefined, max: spec.unitSquare ? 1 : undefined },
          y: { type: spec.logY ? 'logarithmic' : 'linear', title: { display: true, text: spec.y },
               min: spec.unitSquare ? 0 : undefined, max: spec.unitSquare ? 1.02 : undefined }
        }
      }
    });
    var a = chart.chartArea; // the plot only: the legend's swatches are drawn in the series' colours too
    var pixels = canvas.getContext('2d').getImageData(a.left, a.top, a.right - a.left, a.bottom - a.top).data;
    var wanted = colours.map(rgb);
    var line = 0;
    for (var p = 0; p < pixels.length; p += 4) {
      if (pixels[p + 3] !== 255) continue;
      for (var c = 0; c < wanted.length; c++)
        if (pixels[p] === wanted[c][0] && pixels[p + 1] === wanted[c][1] && pixels[p + 2] === wanted[c][2]) { line++; break; }
    }
    canvas.dataset.points = String(chart.data.datasets.reduce(function (n, d) { return n + d.data.length; }, 0));
    canvas.dataset.series = chart.data.datasets.map(function (d) { return d.label; }).join('|');
    canvas.dataset.linePixels = String(line);
    drawn++;
  });
  document.body.dataset.charts = String(drawn);
})();
`;
