import { createKeys } from '../../keys.ts';
import { closeRedis, createRedis, waitUntilReady } from '../../redis.ts';
import { resolveRedisTarget } from '../../redis-seed.ts';
import { loadSettings } from '../../settings/index.ts';
import { builtinProviders } from '../../providers/index.ts';
import { publicRecord } from '../../withdrawals/record-codec.ts';
import { createStore } from '../../withdrawals/store.ts';
import { UsageError } from '../exit.ts';

/**
 * `withdrawals status ID`: prints one withdrawal and its history. Exit 1 when not found. Any id
 * works, 128 characters included; one starting with "-" would read as an option, so it goes last,
 * after "--" (`withdrawals status --json -- -id`).
 */
export async function status(id: string | undefined, json: boolean): Promise<number> {
  if (!id) throw new UsageError('usage: withdrawals status [--json] ID (an ID starting with "-" goes last, after "--")');
  const { config } = loadSettings(process.env, builtinProviders);
  const redis = createRedis(await resolveRedisTarget(config), { role: 'request' });
  redis.on('error', () => {});
  try {
    await waitUntilReady(redis, 10_000);
    const store = createStore({ redis, keys: createKeys(config.QUEUE_PREFIX), eventsMaxLen: 0, providers: builtinProviders.map((d) => d.name) });
    const rec = await store.get(id);
    if (!rec) {
      console.error(`no withdrawal ${id} under prefix ${config.QUEUE_PREFIX}`);
      return 1;
    }
    if (json) {
      console.log(JSON.stringify(publicRecord(rec), null, 2));
      return 0;
    }
    const lines = [
      `withdrawal  ${rec.id}`,
      `provider    ${rec.provider}`,
      `status      ${rec.status}`,
      `amount      ${rec.amountMsat ?? '-'} msat (fee ${rec.feeMsat ?? '-'} msat)`,
      `payment     ${rec.paymentHash ?? rec.address ?? '-'}`,
      ...(rec.lightningAddress ? [`lnaddress   ${rec.lightningAddress}${rec.invoice === null ? ' (not resolved yet)' : ''}`] : []),
      `providerRef ${rec.providerRef ?? '-'}`,
      `attempts    ${rec.attempts}`,
      `batch       ${rec.batchId ?? '-'}`,
    ];
    if (rec.failure) lines.push(`failure     ${rec.failure.code}: ${rec.failure.message}`);
    lines.push('history:');
    for (const h of rec.history) {
      const who = h.actor ? ` by ${h.actor}` : '';
      lines.push(`  ${h.at}  ${h.status.padEnd(12)} ${h.cause ?? ''}${who}${h.note ? ` (${h.note})` : ''}`);
    }
    console.log(lines.join('\n'));
    return 0;
  } finally {
    await closeRedis(redis);
  }
}
