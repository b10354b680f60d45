import type { SqlDriver } from './sql-driver.ts';
import { fromJson, iso, listPage, newId, NEWEST_FIRST, type Page } from './rows.ts';

/** A question agents vote on (seed 003 voting consensus). */
export interface Proposal {
  id: string;
  title: string;
  description: string | null;
  options: string[];
  /** Votes needed before consensus can be reached. */
  quorum: number;
  /** Share of the votes the leading option needs (0.5: half; 1: unanimity). */
  threshold: number;
  createdAt: string;
}

export interface Vote {
  id: string;
  proposalId: string;
  voterId: string;
  choice: string;
  createdAt: string;
}

export interface Consensus {
  reached: boolean;
  /** The leading option when it is alone in the lead, else null. */
  leader: string | null;
  /** The leader's share of the votes (0 when nobody voted). */
  share: number;
}

export interface Tally {
  counts: Record<string, number>;
  totalVotes: number;
  consensus: Consensus;
}

interface ProposalRow {
  id: string;
  title: string;
  description: string | null;
  options: string;
  quorum: number;
  threshold: number;
  created_at: number;
}

const toProposal = (r: ProposalRow): Proposal => ({
  id: r.id,
  title: r.title,
  description: r.description,
  options: fromJson<string[]>(r.options) ?? [],
  quorum: Number(r.quorum),
  threshold: Number(r.threshold),
  createdAt: iso(r.created_at) as string,
});

/**
 * Consensus: at least `quorum` votes, one option strictly ahead of every
 * other, and its share of all votes at least `threshold`.
 */
export function consensusOf(p: Pick<Proposal, 'options' | 'quorum' | 'threshold'>, counts: Readonly<Record<string, number>>): Tally {
  const full: Record<string, number> = {};
  let total = 0;
  for (const o of p.options) {
    full[o] = counts[o] ?? 0;
    total += full[o];
  }
  let leader: string | null = null;
  let best = -1;
  let tie = false;
  for (const o of p.options) {
    const n = full[o] as number;
    if (n > best) {
      best = n;
      leader = o;
      tie = false;
    } else if (n === best) {
      tie = true;
    }
  }
  const share = total === 0 ? 0 : best / total;
  const alone = total > 0 && !tie;
  return {
    counts: full,
    totalVotes: total,
    consensus: { reached: alone && total >= p.quorum && share >= p.threshold, leader: alone ? leader : null, share },
  };
}

/** Proposals and votes; one vote per voter per proposal, enforced by a unique key. */
export class ProposalsRepo {
  constructor(private readonly db: SqlDriver) {}

  async create(input: { title: string; description?: string | null; options: string[]; quorum: number; threshold: number }): Promise<Proposal> {
    const row: ProposalRow = {
      id: newId(),
      title: input.title,
      description: input.description ?? null,
      options: JSON.stringify(input.options),
      quorum: input.quorum,
      threshold: input.threshold,
      created_at: Date.now(),
    };
    await this.db.run('INSERT INTO proposals (id, title, description, options, quorum, threshold, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      row.id,
      row.title,
      row.description,
      row.options,
      row.quorum,
      row.threshold,
      row.created_at,
    ]);
    return toProposal(row);
  }

  async get(id: string): Promise<Proposal | null> {
    const r = await this.db.get<ProposalRow>('SELECT * FROM proposals WHERE id = $1', [id]);
    return r === undefined ? null : toProposal(r);
  }

  async list(q: { limit: number; offset: number }): Promise<Page<Proposal>> {
    return listPage(this.db, { table: 'proposals', order: NEWEST_FIRST, limit: q.limit, offset: q.offset }, toProposal);
  }

  /** Records a vote; null when this voter already voted on the proposal. */
  async vote(proposalId: string, voterId: string, choice: string): Promise<Vote | null> {
    const vote: Vote = { id: newId(), proposalId, voterId, choice, createdAt: new Date().toISOString() };
    const n = await this.db.run(
      'INSERT INTO votes (id, proposal_id, voter_id, choice, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (proposal_id, voter_id) DO NOTHING',
      [vote.id, proposalId, voterId, choice, Date.parse(vote.createdAt)],
    );
    return n === 0 ? null : vote;
  }

  async tally(p: Proposal): Promise<Tally> {
    const rows = await this.db.all<{ choice: string; n: number }>('SELECT choice, COUNT(*) AS n FROM votes WHERE proposal_id = $1 GROUP BY choice', [p.id]);
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.choice] = Number(r.n);
    return consensusOf(p, counts);
  }
}
