import type { WebSocket } from 'ws';

/** Someone in a run's collaboration room. */
export interface Member {
  readonly connectionId: string;
  user: string;
  readonly socket: WebSocket;
  readonly joinedAt: number;
  lastSeen: number;
  status: 'active' | 'away';
  /** Answered the last ping (liveness). */
  alive: boolean;
  cursor: { x: number; y: number; stepId: string | null } | null;
}

export interface MemberView {
  connectionId: string;
  user: string;
  status: Member['status'];
  joinedAt: string;
  cursor: Member['cursor'];
}

export const viewOf = (m: Member): MemberView => ({
  connectionId: m.connectionId,
  user: m.user,
  status: m.status,
  joinedAt: new Date(m.joinedAt).toISOString(),
  cursor: m.cursor,
});

/** How often members are pinged; one that has not answered the previous ping by the next is cut off. */
export const PING_INTERVAL_MS = 30_000;

/**
 * The collaboration rooms, one per run. Events are serialised once per
 * broadcast and sent to every open socket of the room. A timer marks
 * members who have been silent for the presence timeout as away; another
 * ends connections that stop answering pings.
 */
export class CollaborationHub {
  private readonly rooms = new Map<string, Map<string, Member>>();
  private readonly timer: NodeJS.Timeout;
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly presenceTimeoutMs: number,
    private readonly onSend: (count: number) => void = () => undefined,
  ) {
    this.timer = setInterval(() => this.sweep(), Math.max(50, Math.min(10_000, Math.floor(presenceTimeoutMs / 3))));
    this.timer.unref();
    this.pinger = setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.pinger.unref();
  }

  join(runId: string, member: Member): void {
    let room = this.rooms.get(runId);
    if (room === undefined) {
      room = new Map();
      this.rooms.set(runId, room);
    }
    room.set(member.connectionId, member);
  }

  leave(runId: string, connectionId: string): void {
    const room = this.rooms.get(runId);
    if (room === undefined) return;
    room.delete(connectionId);
    if (room.size === 0) this.rooms.delete(runId);
  }

  members(runId: string): MemberView[] {
    return [...(this.rooms.get(runId)?.values() ?? [])].map(viewOf);
  }

  /** Send an event to everyone in the run's room (but `exceptConnectionId`). */
  broadcast(runId: string, event: Record<string, unknown>, exceptConnectionId?: string): number {
    const room = this.rooms.get(runId);
    if (room === undefined) return 0;
    const text = JSON.stringify({ ...event, runId, ts: Date.now() });
    let n = 0;
    for (const m of room.values()) {
      if (m.connectionId === exceptConnectionId || m.socket.readyState !== m.socket.OPEN) continue;
      m.socket.send(text);
      n++;
    }
    this.onSend(n);
    return n;
  }

  /** Presence of everyone in the room, to everyone in the room. */
  broadcastPresence(runId: string, event: 'join' | 'leave' | 'update', member: Member): void {
    this.broadcast(runId, { type: 'presence', event, user: member.user, connectionId: member.connectionId, status: member.status, members: this.members(runId) });
  }

  get connections(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.size;
    return n;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [runId, room] of this.rooms) {
      for (const m of room.values()) {
        if (m.status === 'active' && now - m.lastSeen > this.presenceTimeoutMs) {
          m.status = 'away';
          this.broadcastPresence(runId, 'update', m);
        }
      }
    }
  }

  private ping(): void {
    for (const room of this.rooms.values()) {
      for (const m of room.values()) {
        if (!m.alive) {
          m.socket.terminate();
          continue;
        }
        m.alive = false;
        m.socket.ping();
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
    clearInterval(this.pinger);
    for (const room of this.rooms.values()) for (const m of room.values()) m.socket.close(1001, 'server shutting down');
    this.rooms.clear();
  }
}
