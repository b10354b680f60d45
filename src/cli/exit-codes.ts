/** Exit codes (k6's where k6 has them). */
export const EXIT = {
  OK: 0,
  /** compare: a regression was found */
  REGRESSION: 1,
  /** bad command line or unusable input files */
  USAGE: 2,
  /**
   * run --baseline: the run passed its thresholds but regressed against the
   * baseline (compare's 1; run keeps 1 for crashes and uses the slot next to
   * k6's 99). A run that failed otherwise keeps its own code.
   */
  RUN_REGRESSION: 98,
  THRESHOLDS_FAILED: 99,
  INVALID_CONFIG: 104,
  INTERRUPTED: 105,
  SCRIPT_ERROR: 107,
  ABORTED_BY_SCRIPT: 108,
} as const;
