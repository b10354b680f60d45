/**
 * Seed 003 scenario B, voting consensus: V agents each vote once on each of
 * P proposals. Who votes what is a pure function of (voter, proposal), so the
 * exact tally every proposal must end with is known in advance; teardown
 * reads the server's tallies and compares them, count by count.
 *
 * Voter identity: the scenario runs exactly V VUs (per-vu-iterations), and VU
 * ids of one scenario are consecutive, so (vu − 1) mod V numbers the voters
 * 0 … V−1 on any split across workers. Iteration j votes on proposal j.
 */
import type { SetupContext, VuContext } from 'agentload';
import { authHeaders, fieldOf, jsonOf } from './requests.ts';
import { pathSetting } from './settings.ts';

export const OPTIONS = ['approve', 'reject', 'abstain'] as const;
export type Choice = (typeof OPTIONS)[number];

/** The vote of voter `v` (0-based) on proposal `p` (0-based): about 60% approve, 20% reject, 20% abstain, varying by proposal. */
export function choiceOf(v: number, p: number): Choice {
  const slot = ((v + 1) * (p + 3)) % 5;
  return slot < 3 ? 'approve' : slot === 3 ? 'reject' : 'abstain';
}

/** The tally proposal `p` must end with when voters 0 … voters−1 all voted. */
export function expectedTally(voters: number, p: number): Record<Choice, number> {
  const t: Record<Choice, number> = { approve: 0, reject: 0, abstain: 0 };
  for (let v = 0; v < voters; v++) t[choiceOf(v, p)]++;
  return t;
}

/** Consensus as the reference target defines it: quorum reached, one option strictly ahead, with at least `threshold` of the votes. */
export function expectedConsensus(t: Readonly<Record<Choice, number>>, quorum: number, threshold: number): boolean {
  const counts = OPTIONS.map((o) => t[o]);
  const total = counts.reduce((a, b) => a + b, 0);
  const best = Math.max(...counts);
  const alone = counts.filter((c) => c === best).length === 1;
  return total >= quorum && alone && best / total >= threshold;
}

/** setup(): create the proposals; their ids in order. */
export async function createProposals(ctx: SetupContext, runKey: string, count: number, voters: number): Promise<string[]> {
  const ids: string[] = [];
  for (let p = 0; p < count; p++) {
    const res = await ctx.http.post(
      pathSetting('PROPOSALS_PATH', '/api/proposals', ctx),
      { title: `${runKey} proposal ${p}`, options: [...OPTIONS], quorum: voters, threshold: 0.5 },
      { name: 'setup_proposal', tags: { type: 'setup' }, headers: authHeaders(ctx) },
    );
    const id = fieldOf(jsonOf(res));
    if (id === null) throw new Error(`could not create proposal ${p}: POST ${res.url} answered ${res.status} ${res.error}`);
    ids.push(id);
  }
  return ids;
}

/** One iteration of a voting VU: its vote on proposal `ctx.iteration`; on the first proposal it also tries to vote twice, which must be refused. */
export async function castVote(ctx: VuContext<{ runKey: string; proposals: string[] }>, voters: number, onCast: () => void): Promise<void> {
  const p = ctx.iteration;
  const id = ctx.data.proposals[p];
  if (id === undefined) return;
  const voter = (ctx.vu - 1) % voters;
  const body = { voterId: `${ctx.data.runKey}-agent-${voter}`, choice: choiceOf(voter, p) };
  const path = pathSetting('VOTES_PATH', '/api/proposals/{id}/votes', ctx, { id });
  const headers = authHeaders(ctx);
  const res = await ctx.http.post(path, body, { name: 'vote', headers });
  if (ctx.check(res, { 'vote: accepted': (r) => r.status === 200 || r.status === 201 })) onCast();
  if (p === 0) {
    const again = await ctx.http.post(path, body, { name: 'vote_again', headers, expectedStatuses: [409] });
    ctx.check(again, { 'vote: a second vote by the same agent is refused (409)': (r) => r.status === 409 });
  }
}

/** teardown(): compare every proposal's tally with the expected one; one `ok` per proposal. */
export async function verifyTallies(
  ctx: SetupContext,
  proposals: readonly string[],
  voters: number,
  record: (exact: boolean, consensusAsExpected: boolean) => void,
): Promise<void> {
  for (let p = 0; p < proposals.length; p++) {
    const id = proposals[p] as string;
    const res = await ctx.http.get(pathSetting('PROPOSAL_PATH', '/api/proposals/{id}', ctx, { id }), { name: 'verify_proposal', tags: { type: 'verify' }, headers: authHeaders(ctx) });
    const body = jsonOf<{ counts?: Record<string, unknown>; totalVotes?: unknown; consensus?: { reached?: unknown } }>(res);
    const want = expectedTally(voters, p);
    const counts = body?.counts ?? {};
    const exact = OPTIONS.every((o) => counts[o] === want[o]) && Object.keys(counts).every((k) => (OPTIONS as readonly string[]).includes(k)) && body?.totalVotes === voters;
    const reached = body?.consensus?.reached;
    record(exact, typeof reached !== 'boolean' || reached === expectedConsensus(want, voters, 0.5));
  }
}
