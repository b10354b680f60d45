import type { ProfileDefinition } from './definition.ts';

/**
 * Built-in load profiles. Stage shapes and thresholds come from the seeds:
 * load and stress from seed 002's stage tables, spike from seed 003 (normal
 * load, 5x for 3 minutes, recovery), soak from seed 002 (4 h at 100 VUs) with
 * seed 004's soak targets, smoke from seed 001 (1 VU, 1 minute).
 */
export const BUILTIN_PROFILES: Readonly<Record<string, ProfileDefinition>> = {
  smoke: {
    description: '1 VU for 1 minute: does everything work at all (seed 001)',
    startVUs: 1,
    stages: [{ duration: '1m', target: 1 }],
    thresholds: { http_req_failed: ['rate<0.01'], checks: ['rate>0.99'] },
  },
  load: {
    description: 'normal load: 0→50 VUs, hold, 50→100, hold, ramp down; 10 minutes (seed 002)',
    stages: [
      { duration: '1m', target: 50 },
      { duration: '3m', target: 50 },
      { duration: '1m', target: 100 },
      { duration: '3m', target: 100 },
      { duration: '2m', target: 0 },
    ],
    thresholds: {
      http_req_duration: ['p(95)<500', 'p(99)<1000'],
      http_req_failed: ['rate<0.01'],
      http_reqs: ['rate>100'],
    },
  },
  stress: {
    description: 'past normal load in steps of 100 VUs up to 300, then recovery; 26 minutes (seed 002)',
    stages: [
      { duration: '2m', target: 100 },
      { duration: '5m', target: 100 },
      { duration: '2m', target: 200 },
      { duration: '5m', target: 200 },
      { duration: '2m', target: 300 },
      { duration: '5m', target: 300 },
      { duration: '5m', target: 0 },
    ],
    thresholds: { http_req_duration: ['p(95)<2000'], http_req_failed: ['rate<0.1'] },
  },
  spike: {
    description: 'normal load for 2 minutes, a sudden 5x spike for 3 minutes, then 5 minutes of recovery (seed 003)',
    stages: [
      { duration: '10s', target: 20 },
      { duration: '2m', target: 20 },
      { duration: '10s', target: 100 },
      { duration: '3m', target: 100 },
      { duration: '10s', target: 20 },
      { duration: '5m', target: 20 },
      { duration: '10s', target: 0 },
    ],
    rateStages: [
      { duration: '10s', target: 100 },
      { duration: '2m', target: 100 },
      { duration: '10s', target: 500 },
      { duration: '3m', target: 500 },
      { duration: '10s', target: 100 },
      { duration: '5m', target: 100 },
    ],
    thresholds: { http_req_duration: ['p(95)<1500', 'p(99)<3000'], http_req_failed: ['rate<0.05'] },
  },
  soak: {
    description: '100 VUs for 4 hours: leaks, exhaustion, slow degradation (seed 002; targets from seed 004)',
    stages: [
      { duration: '5m', target: 100 },
      { duration: '4h', target: 100 },
      { duration: '5m', target: 0 },
    ],
    thresholds: { http_req_duration: ['p(95)<800', 'p(99)<1500'], http_req_failed: ['rate<0.005'] },
  },
  breakpoint: {
    description: 'ramp without a ceiling until the target breaks; stops itself when errors or latency cross the line',
    stages: [{ duration: '30m', target: 1000 }],
    thresholds: {
      http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '10s' }],
      http_req_duration: [{ threshold: 'p(95)<2000', abortOnFail: true, delayAbortEval: '10s' }],
    },
  },
};

/** Other names seeds use for built-in profiles. */
export const PROFILE_ALIASES: Readonly<Record<string, string>> = { baseline: 'load', average: 'load' };
