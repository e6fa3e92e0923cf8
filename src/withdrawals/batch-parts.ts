import type { Logger } from '../logger.ts';
import { partJobId } from '../queues/names.ts';
import type { ProviderName } from './types.ts';

/**
 * A batch's first items get a submit job each, so a small batch is paid as many at a time as the
 * workers run jobs; after them, items travel in parts, one submit job per part and provider:
 * BullMQ's work (adding, taking and finishing a job, some 35 Redis commands) is shared by a part
 * instead of paid per payout (docs/performance.md, "Batch parts"). A part's withdrawals are paid one
 * after the other, so parts grow, PARTS_PER_SIZE of each size from one item up to PART_ITEMS: the
 * parts a batch ends with, which the workers finish last, are no longer than the batch is long.
 */
export const OWN_JOB_ITEMS = 64;
export const PART_ITEMS = 16;
export const PARTS_PER_SIZE = 10;

/** How many items the batch's `seq`-th part (from 0) holds. */
export function partSize(seq: number): number {
  return Math.min(PART_ITEMS, 1 + Math.floor(seq / PARTS_PER_SIZE));
}

/** Adds one part's submit job (Queues.addSubmitPart). */
export type AddPart = (provider: ProviderName, jobId: string, ids: readonly string[]) => Promise<void>;

/** One part of a batch: the items that share a submit job, per provider routed to. */
export interface PartSlot {
  /** The job id a withdrawal of this part routed to `provider` records (create), for the sweep. */
  jobId(provider: ProviderName): string;
  /** A withdrawal of this part was stored `queued`: its submit job is the part's. */
  join(provider: ProviderName, id: string): void;
  /** An item of this part is done with (stored, refused or failed): once all are, the part's jobs are added. */
  done(): void;
}

class Part implements PartSlot {
  private pending = 0;
  private closed = false;
  private readonly members = new Map<ProviderName, string[]>();

  constructor(
    private readonly batchId: string,
    private readonly seq: number,
    private readonly flush: (jobs: { provider: ProviderName; jobId: string; ids: string[] }[]) => void,
  ) {}

  jobId(provider: ProviderName): string {
    return partJobId(this.batchId, provider, this.seq);
  }

  join(provider: ProviderName, id: string): void {
    const ids = this.members.get(provider);
    if (ids) ids.push(id);
    else this.members.set(provider, [id]);
  }

  take(): void {
    this.pending++;
  }

  done(): void {
    this.pending--;
    this.maybeFlush();
  }

  close(): void {
    this.closed = true;
    this.maybeFlush();
  }

  private maybeFlush(): void {
    if (!this.closed || this.pending > 0) return;
    const jobs = [...this.members].map(([provider, ids]) => ({ provider, jobId: this.jobId(provider), ids }));
    this.members.clear();
    if (jobs.length > 0) this.flush(jobs);
  }
}

/**
 * Deals a batch's items into parts, in the order they are read, and adds each part's submit jobs
 * once every item of it is done with (a part's withdrawals are stored before its job can take
 * them). A job that cannot be added (Redis away) is logged: its withdrawals stay `queued`, and the
 * sweep gives each its own job.
 */
export class BatchParts {
  private current: Part | null = null;
  /** The next part's number, and the items the current one still takes. */
  private seq = 0;
  private room = 0;
  private readonly adding = new Set<Promise<void>>();

  constructor(
    private readonly batchId: string,
    private readonly add: AddPart,
    private readonly logger: Logger,
  ) {}

  /** The part of the item at `index` (called for every index, in increasing order), null for one that gets its own job. */
  slot(index: number): PartSlot | null {
    if (index < OWN_JOB_ITEMS) return null;
    if (!this.current || this.room === 0) {
      this.current?.close();
      this.room = partSize(this.seq);
      this.current = new Part(this.batchId, this.seq++, (jobs) => this.addJobs(jobs));
    }
    this.room--;
    this.current.take();
    return this.current;
  }

  /** No item follows: the last part's jobs are added, and every part's add has ended. */
  async finish(): Promise<void> {
    this.current?.close();
    this.current = null;
    while (this.adding.size > 0) await Promise.all(this.adding);
  }

  private addJobs(jobs: { provider: ProviderName; jobId: string; ids: string[] }[]): void {
    for (const { provider, jobId, ids } of jobs) {
      const p = this.add(provider, jobId, ids).catch((err: unknown) => {
        // The records are safe in Redis; the sweep gives each its own job when the queue is reachable again.
        this.logger.warn({ err, batchId: this.batchId, jobId, items: ids.length }, 'withdrawals stored but their submit job could not be queued yet');
      });
      this.adding.add(p);
      void p.finally(() => this.adding.delete(p));
    }
  }
}
