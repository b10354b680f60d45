// bench/RESULTS.md: one section per benchmark between markers, so that a
// benchmark run alone replaces only its own section. Raw numbers also go to
// bench/.work/results-<id>.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, WORK_DIR } from './args.mjs';
import { machineInfo, provisional } from './machine.mjs';
import { fixed } from './stats.mjs';

export const RESULTS_FILE = join(BENCH_DIR, 'RESULTS.md');

/** Benchmarks in the order of the file. */
export const SECTIONS = [
  ['http', '1. HTTP throughput, one core'],
  ['scaling', '2. Scaling: 2 workers vs 1'],
  ['vu-cost', '3. VU cost: memory per mostly-sleeping VU'],
  ['accuracy', '4. Latency accuracy vs wrk'],
  ['co', '5. Coordinated omission: a target that stalls'],
  ['startup', '6. Start-up: command start to first request'],
];

const HEADER = `# agentload benchmarks

Produced by \`npm run bench\` (\`node bench/run-all.mjs\`); a benchmark run alone
(\`node bench/<name>.mjs\`) replaces only its own section. How to run them and
how to read the tables: [docs/benchmarks.md](../docs/benchmarks.md).

Every section names the machine, the date and how busy the machine was.
"Other CPU" is CPU time used during the measured windows by processes that were
neither the target, the generator nor the harness (in cores, 1.0 = one core
fully used). Sections marked **provisional** ran on a busy machine (other CPU
above 0.15 cores): other work competed for the two cores, so absolute numbers are
low and noisy, and only the ratios between tools of that same section mean much.
`;

function begin(id) {
  return `<!-- bench:${id}:begin -->`;
}
function end(id) {
  return `<!-- bench:${id}:end -->`;
}

function skeleton() {
  let s = HEADER;
  for (const [id, title] of SECTIONS) s += `\n${begin(id)}\n## ${title}\n\nNot run yet.\n${end(id)}\n`;
  return s;
}

/** The "ran on" paragraph every section starts with. */
export function ranOn(info, otherCores, extra = '') {
  const prov = provisional(info.loadBefore, otherCores);
  return [
    `Ran ${info.date} on ${info.cores} cores (${info.cpu}), Node ${info.node}, ${info.kernel}.`,
    `Load averages before: ${info.loadBefore}${Number.isFinite(otherCores) ? `; other CPU during the windows: ${fixed(otherCores)} cores` : ''}.${prov ? ' **Provisional: the machine was busy with other work; re-run on a quiet machine.**' : ''}`,
    extra,
  ]
    .filter(Boolean)
    .join('\n');
}

/** Replace one section of RESULTS.md (creating the file if needed) and keep the raw data. */
export function writeSection(o, id, markdown, raw) {
  mkdirSync(WORK_DIR, { recursive: true });
  writeFileSync(join(WORK_DIR, `results-${id}.json`), `${JSON.stringify(raw, null, 2)}\n`);
  console.log(markdown);
  if (!o.write) return;
  let text = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : skeleton();
  const b = text.indexOf(begin(id));
  const e = text.indexOf(end(id));
  const block = `${begin(id)}\n${markdown.trim()}\n${end(id)}`;
  if (b === -1 || e === -1 || e < b) text = `${text.trimEnd()}\n\n${block}\n`;
  else text = `${text.slice(0, b)}${block}${text.slice(e + end(id).length)}`;
  const tmp = `${RESULTS_FILE}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, RESULTS_FILE);
  console.error(`bench: updated ${RESULTS_FILE} (section ${id})`);
}

export { machineInfo };
