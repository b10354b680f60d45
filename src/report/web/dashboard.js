// The live dashboard: follows the run's event stream (one tick a second) and
// draws the same charts as the report; at the end it offers the final report.
(function () {
  'use strict';

  const charts = new Map();
  const grid = document.getElementById('charts');
  const $ = (id) => document.getElementById(id);

  function clock(ms) {
    const s = Math.floor(ms / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const p = (n) => String(n).padStart(2, '0');
    return h > 0 ? `${h}:${p(m)}:${p(s % 60)}` : `${p(m)}:${p(s % 60)}`;
  }

  function text(id, value) {
    const el = $(id);
    if (el !== null) el.textContent = value;
  }

  function showPlan(plan) {
    if (plan === null || plan === undefined) return;
    text('run-name', plan.name);
    document.title = `agentload live — ${plan.name}`;
    const list = $('scenarios');
    list.textContent = '';
    for (const s of plan.scenarios) {
      const li = document.createElement('li');
      const b = document.createElement('b');
      b.textContent = s.name;
      li.appendChild(b);
      li.appendChild(document.createTextNode(` — ${s.description}`));
      list.appendChild(li);
    }
  }

  function showProgress(p) {
    if (p === null || p === undefined) return;
    const frac = p.totalMs > 0 ? Math.min(1, p.elapsedMs / p.totalMs) : 0;
    $('bar').style.width = `${(frac * 100).toFixed(1)}%`;
    text('p-state', p.stopping ? 'stopping' : p.elapsedMs > p.totalMs ? 'finishing' : 'running');
    text('p-elapsed', `${clock(p.elapsedMs)} / ${clock(p.totalMs)}`);
    text('p-vus', `${p.vus} / ${p.vusMax}`);
    text('p-iterations', String(p.iterations));
    text('p-rps', p.requestsPerSec.toFixed(0));
    text('p-p95', p.p95Ms === null ? '-' : window.agentloadCharts.fmtValue(p.p95Ms, 'ms'));
    text('p-errors', p.errorRate === null ? '-' : `${(p.errorRate * 100).toFixed(2)}%`);
    document.body.dataset.ticks = String(Number(document.body.dataset.ticks ?? '0') + 1);
  }

  function ensure(chart) {
    if (charts.has(chart.id)) return;
    const el = document.createElement('div');
    el.className = 'chart';
    el.dataset.chart = chart.id;
    grid.appendChild(el);
    charts.set(chart.id, window.agentloadCharts.draw(el, chart));
  }

  function reset() {
    charts.clear();
    grid.textContent = '';
  }

  function showDone(d) {
    text('p-state', 'finished');
    text('done-status', `${d.status} (exit code ${d.exitCode})`);
    $('done').hidden = false;
    text('report-path', d.reportPath ?? '');
    const link = $('report-link');
    link.href = 'report';
    // keep the report when this server is gone: fetch it once and open it from memory
    fetch('report')
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`report: HTTP ${r.status}`))))
      .then((html) => {
        link.href = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
        document.body.dataset.reportReady = 'true';
      })
      .catch((e) => text('report-path', `${d.reportPath ?? ''} (${e.message})`));
    document.body.dataset.done = 'true';
  }

  const events = new EventSource('events');
  events.addEventListener('snapshot', (e) => {
    const d = JSON.parse(e.data);
    reset();
    showPlan(d.plan);
    showProgress(d.progress);
    d.charts.forEach(ensure);
    if (d.done !== null) {
      events.close();
      showDone(d.done);
    }
  });
  events.addEventListener('tick', (e) => {
    const d = JSON.parse(e.data);
    showProgress(d.progress);
    for (const row of d.rows) {
      for (const [id, values] of Object.entries(row.values)) charts.get(id)?.append(row.x, values);
    }
    d.newCharts.forEach(ensure);
  });
  events.addEventListener('plan', (e) => showPlan(JSON.parse(e.data)));
  events.addEventListener('done', (e) => {
    events.close();
    showDone(JSON.parse(e.data));
  });
})();
