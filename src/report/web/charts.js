/* global uPlot */
// Draws agentload's charts with uPlot. Shared by the HTML report and the live
// dashboard: a chart is { id, title, unit, kind: 'time'|'distribution'|'runs', xLabel,
// x: number[], series: [{ label, color, values: (number|null)[] }] }; a 'runs'
// chart (the trend over past runs) also has xLabels (one per x) and marker (the
// x of the current run, drawn as a band behind the lines).
(function () {
  'use strict';

  const HEIGHT = 240;
  const NINES = [0, Math.log10(2), 1, 2, 3];
  const NINES_LABELS = ['p0', 'p50', 'p90', 'p99', 'p99.9'];
  // whole seconds and minutes on time axes
  const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];

  function fmtNumber(v) {
    const a = Math.abs(v);
    if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
    if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
    if (a >= 100 || Number.isInteger(v)) return v.toFixed(0);
    if (a >= 1) return v.toFixed(2);
    return v.toPrecision(2);
  }

  function fmtValue(v, unit) {
    if (v === null || v === undefined || Number.isNaN(v)) return '-';
    if (unit === 'ms') return Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${fmtNumber(v)}ms`;
    if (unit === '%') return `${fmtNumber(v)}%`;
    if (unit === 'USD') return `$${v.toFixed(4)}`;
    if (unit === '/s') return `${fmtNumber(v)}/s`;
    return fmtNumber(v);
  }

  function fmtElapsed(v) {
    if (v < 120) return `${Math.round(v)}s`;
    const m = Math.floor(v / 60);
    const s = Math.round(v % 60);
    return `${m}:${String(s).padStart(2, '0')}`;
  }

  function fmtNines(x) {
    const p = 100 * (1 - Math.pow(10, -x));
    return `p${p >= 99 ? p.toFixed(1) : p.toFixed(0)}`;
  }

  function widthOf(el) {
    return Math.max(280, Math.floor(el.clientWidth || el.getBoundingClientRect().width || 600));
  }

  const MARKER_FILL = 'rgba(47, 111, 223, 0.16)';

  function runLabel(chart, v) {
    if (v === null || v === undefined || !Number.isInteger(v)) return '';
    const labels = chart.xLabels || [];
    return labels[v] === undefined ? '' : labels[v];
  }

  /** Draws the current run's band before the lines; notes where it is (tests read it). */
  function markerHook(el, chart) {
    return (u) => {
      const x = u.valToPos(chart.marker, 'x', true);
      const step = chart.x.length > 1 ? Math.abs(u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true)) : u.bbox.width;
      const w = Math.max(8, step * 0.5);
      const ctx = u.ctx;
      ctx.save();
      ctx.fillStyle = MARKER_FILL;
      ctx.fillRect(Math.round(x - w / 2), u.bbox.top, Math.round(w), u.bbox.height);
      ctx.restore();
      el.dataset.markerX = String(Math.round(x));
      el.dataset.markerWidth = String(Math.round(w));
    };
  }

  function runsOptions(el, chart, width) {
    return {
      width,
      height: HEIGHT,
      title: chart.title,
      scales: {
        // half a step of room on each side so the first and last runs are not cut
        x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] },
      },
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: chart.xLabel, value: (_u, v) => runLabel(chart, v) || '-' },
        ...chart.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          spanGaps: true,
          points: { show: true, size: 7, fill: s.color },
          value: (_u, v) => fmtValue(v, chart.unit),
        })),
      ],
      axes: [
        { label: chart.xLabel, incrs: [1, 2, 5, 10, 20, 50, 100], values: (_u, splits) => splits.map((v) => runLabel(chart, v)) },
        { label: chart.unit, size: 64, values: (_u, splits) => splits.map((v) => fmtValue(v, chart.unit)) },
      ],
      hooks: typeof chart.marker === 'number' ? { drawClear: [markerHook(el, chart)] } : {},
    };
  }

  function optionsFor(el, chart, width) {
    if (chart.kind === 'runs') return runsOptions(el, chart, width);
    const dist = chart.kind === 'distribution';
    return {
      width,
      height: HEIGHT,
      title: chart.title,
      scales: {
        x: { time: false },
        // every quantity drawn is >= 0: start the y axis at 0, leave a little room above
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] },
      },
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: chart.xLabel, value: (_u, v) => (v === null || v === undefined ? '-' : dist ? fmtNines(v) : fmtElapsed(v)) },
        ...chart.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          fill: chart.series.length === 1 ? `${s.color}22` : undefined,
          value: (_u, v) => fmtValue(v, chart.unit),
        })),
      ],
      axes: [
        dist
          ? { label: chart.xLabel, splits: () => NINES, values: () => NINES_LABELS }
          : { label: chart.xLabel, incrs: TIME_INCRS, values: (_u, splits) => splits.map(fmtElapsed) },
        { label: chart.unit, size: 64, values: (_u, splits) => splits.map((v) => fmtValue(v, chart.unit)) },
      ],
    };
  }

  function dataOf(chart) {
    return [chart.x.slice(), ...chart.series.map((s) => s.values.slice())];
  }

  /** Draw a chart into an element; returns a handle to append points or resize. */
  function draw(el, chart) {
    el.classList.add('chart-drawn');
    el.dataset.points = String(chart.x.length);
    const data = dataOf(chart);
    const plot = new uPlot(optionsFor(el, chart, widthOf(el)), data, el);
    // follow the layout (window resizes, a grid that gains a column as charts are added)
    let width = widthOf(el);
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        const w = widthOf(el);
        if (w !== width) {
          width = w;
          plot.setSize({ width: w, height: HEIGHT });
        }
      }).observe(el);
    }
    return {
      chart,
      plot,
      append(x, values) {
        data[0].push(x);
        for (let i = 0; i < chart.series.length; i++) data[i + 1].push(values[i] === undefined ? null : values[i]);
        el.dataset.points = String(data[0].length);
        plot.setData(data);
      },
    };
  }

  window.agentloadCharts = { draw, fmtValue, fmtElapsed };
})();
