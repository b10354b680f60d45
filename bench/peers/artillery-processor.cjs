// Artillery peer for bench/: each virtual user loops GETs until BENCH_SECONDS
// have passed since this module was loaded (when the run starts), so the run
// is bounded in time like the other tools'.
'use strict';

const deadline = Date.now() + Number(process.env.BENCH_SECONDS || 30) * 1000;

module.exports = {
  untilDeadline(_context, next) {
    return next(Date.now() < deadline);
  },
};
