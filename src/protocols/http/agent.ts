import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type * as Undici from 'undici';
import type { Agent, buildConnector } from 'undici';
import { lazyRequire } from '../lazy-require.ts';
import { H1Pool } from './h1-pool.ts';

/** Time spent opening one connection, waiting to be attributed to the request that gets it. */
export interface ConnectTiming {
  connecting: number;
  tls: number;
  total: number;
}

export interface HttpAgentOptions {
  insecureSkipTLSVerify?: boolean;
  connectTimeoutMs?: number;
  /** Connections per origin in this worker; 0 or absent = no limit (the plan passes http.maxConnectionsPerHost, 1000 by default). */
  maxConnectionsPerHost?: number;
}

/** undici is loaded when a test first uses HTTPS or a streaming client: its import costs ~100 ms of start-up. */
const undici = lazyRequire<typeof Undici>('undici');

/**
 * The connection pools of one worker thread, shared by its VUs: agentload's own
 * HTTP/1.1 pool for plain-HTTP requests (h1-pool.ts) and an undici Agent for
 * HTTPS and the streaming protocols. Each opens at most
 * `maxConnectionsPerHost` per origin (http.maxConnectionsPerHost, 1000 by default: a burst of 50,000 VUs
 * would otherwise open a socket per request and exhaust the process's open
 * files; requests past the cap wait for a connection, and that wait shows in
 * http_req_blocked). The connector records
 * TCP and TLS set-up times; each request that waited while a connection was
 * opened takes one of them (http_req_connecting / _tls_handshaking).
 */
export class HttpAgent {
  #dispatcher: Agent | null = null;
  readonly #options: HttpAgentOptions;
  /** agentload's own HTTP/1.1 pool: the request loop's plain-HTTP requests (h1-pool.ts). */
  readonly h1: H1Pool;
  readonly #pending: ConnectTiming[] = [];

  constructor(options: HttpAgentOptions = {}) {
    this.#options = options;
    const pending = this.#pending;
    const max = options.maxConnectionsPerHost ?? 0;
    this.h1 = new H1Pool({
      maxConnectionsPerOrigin: max,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      keepAliveTimeoutMs: 30_000,
      onConnectTiming: (ms) => {
        pending.push({ connecting: ms, tls: 0, total: ms });
        if (pending.length > 1024) pending.shift();
      },
    });
  }

  /** undici: HTTPS requests, and the streaming protocols (SSE, LLM, A2A); created on first use. */
  get dispatcher(): Agent {
    this.#dispatcher ??= this.#createDispatcher();
    return this.#dispatcher;
  }

  #createDispatcher(): Agent {
    const options = this.#options;
    const { Agent, buildConnector } = undici();
    const base = buildConnector({
      rejectUnauthorized: options.insecureSkipTLSVerify !== true,
      timeout: options.connectTimeoutMs ?? 10_000,
    });
    const pending = this.#pending;
    const connect: buildConnector.connector = (opts, callback) => {
      const t0 = performance.now();
      let tcpAt = 0;
      const socket = base(opts, (err, sock) => {
        if (err === null) {
          const t1 = performance.now();
          const tcp = tcpAt === 0 ? t1 - t0 : tcpAt - t0;
          const tls = opts.protocol === 'https:' ? t1 - t0 - tcp : 0;
          pending.push({ connecting: tcp, tls, total: t1 - t0 });
          if (pending.length > 1024) pending.shift();
          callback(null, sock as Socket);
        } else {
          callback(err, null);
        }
      });
      if (opts.protocol === 'https:') (socket as unknown as Socket).once('connect', () => (tcpAt = performance.now()));
      return socket;
    };
    const max = options.maxConnectionsPerHost ?? 0;
    return new Agent({ connect, pipelining: 1, keepAliveTimeout: 30_000, ...(max > 0 ? { connections: max } : {}) });
  }

  /** Take the set-up time of a connection opened while a request waited `waited` ms. */
  takeConnectTiming(waited: number): ConnectTiming | undefined {
    const first = this.#pending[0];
    if (first === undefined || first.total > waited + 1) return undefined;
    this.#pending.shift();
    return first;
  }

  async close(): Promise<void> {
    await this.h1.close();
    if (this.#dispatcher !== null) await this.#dispatcher.close();
  }
}
