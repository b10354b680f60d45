// The HTML report's behaviour: draw the embedded charts and make tables sortable.
(function () {
  'use strict';

  function sortable(table) {
    const heads = table.querySelectorAll('th[data-sort]');
    heads.forEach((th, col) => {
      th.tabIndex = 0;
      const sort = () => {
        const asc = th.getAttribute('aria-sort') !== 'ascending';
        heads.forEach((o) => o.removeAttribute('aria-sort'));
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        const num = th.dataset.sort === 'num';
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const key = (row) => {
          const cell = row.cells[col];
          if (cell === undefined) return num ? 0 : '';
          return num ? Number(cell.dataset.v ?? cell.textContent) : (cell.textContent ?? '').toLowerCase();
        };
        rows.sort((a, b) => {
          const ka = key(a);
          const kb = key(b);
          const c = ka < kb ? -1 : ka > kb ? 1 : 0;
          return asc ? c : -c;
        });
        for (const r of rows) body.appendChild(r);
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          sort();
        }
      });
    });
  }

  function start() {
    const dataEl = document.getElementById('agentload-data');
    const data = dataEl === null ? { charts: [] } : JSON.parse(dataEl.textContent ?? '{}');
    const handles = [];
    for (const chart of data.charts) {
      const el = document.querySelector(`[data-chart="${CSS.escape(chart.id)}"]`);
      if (el !== null) handles.push(window.agentloadCharts.draw(el, chart));
    }
    document.querySelectorAll('table.sortable').forEach(sortable);
    document.body.dataset.chartsDrawn = String(handles.length);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
