import { registry } from '../../metrics/builtin.ts';

/** Redis metrics (docs/data-plane.md). */
export const redisMetrics = {
  /** Command round trip (ms), tagged with `command` (lower case) and `error_code` on failures. */
  redis_cmd_duration: registry.define('redis_cmd_duration', 'trend', 'time'),
  /** cacheGet(): 1 = the key was in the cache, 0 = the loader ran. Tagged with the cache's `name`. */
  cache_hit_rate: registry.define('cache_hit_rate', 'rate'),
} as const;
