import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProgressState } from '../../engine/run-options.ts';
import type { MetricType } from '../../metrics/metric.ts';
import type { RunMetrics } from '../../metrics/run-metrics.ts';
import type { TimePoint } from '../../metrics/timeseries.ts';
import { appendRow, chartHasData, ChartBuilder, emptyChart, TIME_CHARTS, type ChartData } from '../../report/html/time-charts.ts';
import { renderDashboardPage } from './dashboard-page.ts';

/** k6's web dashboard port, so muscle memory works. */
export const DEFAULT_DASHBOARD_PORT = 5665;

export interface DashboardPlan {
  readonly name: string;
  readonly scenarios: readonly { readonly name: string; readonly executor: string; readonly description: string }[];
}

export interface DashboardDone {
  readonly status: string;
  readonly exitCode: number;
  /** Where report.html was written, shown on the page. */
  readonly reportPath: string | null;
}

export interface DashboardOptions {
  /** Port on 127.0.0.1; 0 picks a free one. Default 5665. */
  readonly port?: number;
  /** After the run, how long to keep serving so open pages can fetch the final report (default 5 s). */
  readonly lingerMs?: number;
}

/** A dashboard that could not start (port taken, bad port): the message names the port. */
export class DashboardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DashboardError';
  }
}

interface TickRow {
  x: number;
  values: Record<string, (number | null)[]>;
}

/**
 * The live web dashboard: serves a page on 127.0.0.1 and streams the run's
 * progress and per-second chart rows to it (server-sent events, one tick a
 * second). At the end it serves the final report at /report.
 */
export class LiveDashboard {
  readonly #server: Server;
  readonly #clients = new Set<ServerResponse>();
  readonly #page = renderDashboardPage();
  readonly #lingerMs: number;
  /** Columns of every chart definition, whether shown yet or not. */
  readonly #charts = TIME_CHARTS.map((d) => emptyChart(d));
  readonly #active = new Set<string>();
  #builder = new ChartBuilder(new Map<string, MetricType>());
  #sent = 0;
  #plan: DashboardPlan | null = null;
  #progress: ProgressState | null = null;
  #done: DashboardDone | null = null;
  #report: string | null = null;
  #reportFetched: (() => void) | null = null;
  #alwaysDropped = false;

  private constructor(
    server: Server,
    readonly url: string,
    lingerMs: number,
  ) {
    this.#server = server;
    this.#lingerMs = lingerMs;
    server.on('request', (req, res) => this.#handle(req, res));
  }

  /** Listen on 127.0.0.1 (never another interface). */
  static async start(opts: DashboardOptions = {}): Promise<LiveDashboard> {
    const port = opts.port ?? DEFAULT_DASHBOARD_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DashboardError(`--dashboard-port "${port}": expected an integer from 0 to 65535`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(new DashboardError(e.code === 'EADDRINUSE' ? `--dashboard-port ${port}: the port is in use (pick another, or 0 for any free port)` : `dashboard on port ${port}: ${e.message}`)),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const actual = (server.address() as AddressInfo).port;
    return new LiveDashboard(server, `http://127.0.0.1:${actual}/`, opts.lingerMs ?? 5000);
  }

  /** The run's name and scenarios, once the plan is known. */
  setPlan(plan: DashboardPlan): void {
    this.#plan = { name: plan.name, scenarios: plan.scenarios.map((s) => ({ name: s.name, executor: s.executor, description: s.description })) };
    this.#alwaysDropped = plan.scenarios.some((s) => s.executor.endsWith('arrival-rate'));
    this.#broadcast('plan', this.#plan);
  }

  /** Called once a second with the progress and the run's time series so far. */
  update(progress: ProgressState, points: readonly TimePoint[], metrics: RunMetrics): void {
    this.#progress = progress;
    for (const [name, m] of metrics.metrics) this.#builder.setType(name, m.info.type);
    const rows: TickRow[] = [];
    const newCharts: ChartData[] = [];
    for (; this.#sent < points.length; this.#sent++) {
      const point = points[this.#sent] as TimePoint;
      const r = this.#builder.row(point);
      const row: TickRow = { x: r.x, values: {} };
      TIME_CHARTS.forEach((def, i) => {
        const chart = this.#charts[i] as ChartData;
        const values = r.values.get(def.id) ?? [];
        appendRow(chart, r.x, values);
        if (this.#active.has(def.id)) row.values[def.id] = values;
        else if (chartHasData(def, [point]) || (def.id === 'dropped' && this.#alwaysDropped)) {
          this.#active.add(def.id);
          newCharts.push(chart);
        }
      });
      rows.push(row);
    }
    this.#broadcast('tick', { progress, rows, newCharts });
  }

  /**
   * The run is over: send the remaining points, serve the final report and
   * tell open pages; resolves once every open page fetched the report (or
   * after the linger time), then stops the server.
   */
  async finish(done: DashboardDone, reportHtml: string, last?: { progress: ProgressState | null; points: readonly TimePoint[]; metrics: RunMetrics }): Promise<void> {
    if (last !== undefined && last.points.length > this.#sent) this.update(last.progress ?? this.#progress ?? this.#progressOrEmpty(), last.points, last.metrics);
    this.#report = reportHtml;
    this.#done = done;
    const waiting = this.#clients.size;
    const fetched = new Promise<void>((resolve) => {
      let n = 0;
      this.#reportFetched = () => {
        if (++n >= waiting) resolve();
      };
      if (waiting === 0) resolve();
    });
    this.#broadcast('done', done);
    await Promise.race([fetched, new Promise<void>((r) => setTimeout(r, this.#lingerMs).unref())]);
    await this.close();
  }

  async close(): Promise<void> {
    for (const c of this.#clients) c.end();
    this.#clients.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  #progressOrEmpty(): ProgressState {
    return { elapsedMs: 0, totalMs: 0, vus: 0, vusMax: 0, iterations: 0, iterationsPerSec: 0, requestsPerSec: 0, p95Ms: null, errorRate: null, stopping: false };
  }

  #broadcast(event: string, data: unknown): void {
    const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.#clients) c.write(msg);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    // only pages served from this address may talk to it (no DNS rebinding)
    const host = req.headers.host ?? '';
    if (!/^(127\.0\.0\.1|localhost):\d+$/.test(host)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: use the 127.0.0.1 address agentload printed\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (path === '/') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(this.#page);
    } else if (path === '/events') {
      res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', connection: 'keep-alive' });
      const charts = this.#charts.filter((c) => this.#active.has(c.id));
      res.write(`retry: 1000\nevent: snapshot\ndata: ${JSON.stringify({ plan: this.#plan, progress: this.#progress, charts, done: this.#done })}\n\n`);
      if (this.#done !== null) {
        res.end();
        return;
      }
      this.#clients.add(res);
      res.on('close', () => this.#clients.delete(res));
    } else if (path === '/report') {
      if (this.#report === null) {
        res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('the report is written when the run ends\n');
        return;
      }
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(this.#report);
      this.#reportFetched?.();
    } else if (path === '/state') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ plan: this.#plan, progress: this.#progress, points: this.#sent, done: this.#done }));
    } else {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found\n');
    }
  }
}
