import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.ts';
import { EXIT } from './exit-codes.ts';
import { registerRun } from './commands/run.ts';
import { registerMerge } from './commands/merge.ts';
import { registerReport } from './commands/report.ts';
import { registerCompare } from './commands/compare.ts';
import { registerHistory } from './commands/history.ts';
import { registerBaseline } from './commands/baseline.ts';
import { registerInit } from './commands/init.ts';
import { registerTarget } from './commands/target.ts';
import { registerDemo } from './commands/demo.ts';

const program = new Command();
program
  .name('agentload')
  .description('Load testing and performance-regression gates for AI agent platforms (HTTP, WebSocket, SSE, LLM streams, A2A).')
  .version(VERSION, '-v, --version')
  .showHelpAfterError()
  .exitOverride();

registerRun(program);
registerMerge(program);
registerReport(program);
registerCompare(program);
registerHistory(program);
registerBaseline(program);
registerInit(program);
registerTarget(program);
registerDemo(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  } else {
    process.stderr.write(`agentload: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
}
