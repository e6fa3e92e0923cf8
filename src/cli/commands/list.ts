import { PRODUCER_NAME } from '../../callers.ts';
import { createKeys } from '../../keys.ts';
import { closeRedis, createRedis, waitUntilReady } from '../../redis.ts';
import { resolveRedisTarget } from '../../redis-seed.ts';
import { loadSettings } from '../../settings/index.ts';
import { builtinProviders } from '../../providers/index.ts';
import { publicRecord } from '../../withdrawals/record-codec.ts';
import { withdrawalIdSchema } from '../../withdrawals/request.ts';
import { STATUSES, type Status } from '../../withdrawals/status.ts';
import { createStore, InvalidCursorError, MAX_LIST_PAGE } from '../../withdrawals/store.ts';
import { UsageError } from '../exit.ts';

export interface ListOptions {
  status?: string;
  batch?: string;
  producer?: string;
  limit?: string;
  cursor?: string;
  json: boolean;
}

function checked(opts: ListOptions): { status: Status | null; batchId: string | null; owner: string | null; limit: number; cursor: string | null } {
  if (opts.status !== undefined && !(STATUSES as readonly string[]).includes(opts.status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  if (opts.batch !== undefined && !withdrawalIdSchema.safeParse(opts.batch).success) throw new UsageError('--batch must be a batch id (1-128 characters of A-Z a-z 0-9 . _ : -)');
  if (opts.producer !== undefined && !PRODUCER_NAME.test(opts.producer)) throw new UsageError('--producer must be a producer name (1-64 characters of A-Z a-z 0-9 . _ : -)');
  const limit = opts.limit === undefined ? 20 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_PAGE) throw new UsageError(`--limit must be an integer from 1 to ${MAX_LIST_PAGE}`);
  return { status: (opts.status as Status | undefined) ?? null, batchId: opts.batch ?? null, owner: opts.producer ?? null, limit, cursor: opts.cursor ?? null };
}

/**
 * `withdrawals list`: a page of withdrawals, newest first, read from Redis (every producer's, or one
 * producer's with --producer), as `GET /v1/withdrawals` answers it; `next:` says how to read on.
 */
export async function list(opts: ListOptions): Promise<number> {
  const query = checked(opts);
  const { config } = loadSettings(process.env, builtinProviders);
  const redis = createRedis(await resolveRedisTarget(config), { role: 'request' });
  redis.on('error', () => {});
  try {
    await waitUntilReady(redis, 10_000);
    const store = createStore({ redis, keys: createKeys(config.QUEUE_PREFIX), eventsMaxLen: 0, providers: builtinProviders.map((d) => d.name) });
    const page = await store.list(query).catch((err: unknown) => {
      throw err instanceof InvalidCursorError ? new UsageError(`--cursor: ${err.message}`) : err;
    });
    const withdrawals = page.withdrawals.map((r) => {
      const { history: _history, ...view } = publicRecord(r);
      return view;
    });
    if (opts.json) {
      console.log(JSON.stringify({ withdrawals, next: page.next }, null, 2));
      return 0;
    }
    if (withdrawals.length === 0) console.log(`no withdrawal on this page (prefix ${config.QUEUE_PREFIX})`);
    for (const w of withdrawals) {
      console.log([w.createdAt, w.status.padEnd(17), w.provider.padEnd(8), `${w.amountMsat ?? '-'} msat`.padStart(20), w.owner.padEnd(12), w.id].join('  '));
    }
    if (page.next) console.log(`next: withdrawals list --cursor ${page.next}${query.status ? ` --status ${query.status}` : ''}${query.batchId ? ` --batch ${query.batchId}` : ''}${query.owner ? ` --producer ${query.owner}` : ''}`);
    return 0;
  } finally {
    await closeRedis(redis);
  }
}
