import { randomUUID } from 'node:crypto';
import { producer } from '../../callers.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import { findOrStartRedis } from '../../demo/find-redis.ts';
import { demoFaults } from '../../demo/faults.ts';
import { addShowcase, approveHeld, DEMO_APPROVAL_THRESHOLD_MSAT, DEMO_OPERATOR, formatShowcase, showcaseReport, withShowcaseFaults } from '../../demo/policy-showcase.ts';
import { payeeInvoice } from '../../demo/payee.ts';
import { addLightningAddresses, formatLightningAddresses, lightningAddressReport } from '../../demo/lightning-addresses.ts';
import { ledgerDisagreements } from '../../demo/ledger-check.ts';
import { formatReport } from '../../demo/report.ts';
import { createLogger } from '../../logger.ts';
import { builtinProviders, sandboxVariables } from '../../providers/index.ts';
import { startSandbox } from '../../providers/sandbox/index.ts';
import { createRuntime } from '../../runtime.ts';
import { loadSettings } from '../../settings/index.ts';
import { enqueueBatch } from '../../withdrawals/batches.ts';
import { TERMINAL_STATUSES } from '../../withdrawals/status.ts';
import { jsonReport } from '../json-report.ts';
import { stopOnSignals } from '../signals.ts';

export interface DemoOptions {
  count: number;
  timeoutS: number;
  /** Print the report as one JSON document on stdout, and nothing else there. */
  json?: boolean;
}

function demoItems(count: number) {
  const items: Record<string, string>[] = [];
  for (let i = 0; i < count; i++) {
    const provider = i % 2 === 0 ? 'turinpay' : 'aurpay';
    const amountMsat = BigInt(1000 + ((i * 7919) % 99_000)) * 1000n;
    // Every tenth Aurpay payout uses an amountless invoice: the amount travels in the request.
    const amountless = provider === 'aurpay' && i % 10 === 1;
    const { invoice } = payeeInvoice({ network: 'regtest', amountMsat: amountless ? null : amountMsat, description: `demo payout ${i}` });
    items.push({ id: `demo-${i}`, provider, invoice, amountMsat: amountMsat.toString(), description: `demo payout ${i}` });
  }
  return items;
}

/** `withdrawals demo`: the whole pipeline on loopback sandboxes with faults, a progress bar and a report. */
export async function demo(opts: DemoOptions): Promise<number> {
  const redis = await findOrStartRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const items = demoItems(opts.count);
  const showcase = addShowcase(items);
  const sandbox = await startSandbox({
    network: 'regtest',
    aurpay: { apiKey: 'demo-aurpay-key' },
    turinpay: { apiKey: 'demo-turinpay-key' },
    faults: { aurpay: withShowcaseFaults(demoFaults(), showcase), turinpay: withShowcaseFaults(demoFaults(), showcase) },
    pendingLookups: 2,
  });
  // Some payees gave a Lightning Address on the sandbox's LNURL-pay server (one of them misbehaves).
  const addressIds = addLightningAddresses(items, sandbox.lnurl);
  // The one list of providers this process knows: the sandbox serves each of them.
  const providers = builtinProviders;
  const { config } = loadSettings({
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `demo-${randomUUID().slice(0, 8)}`,
    HOST: '127.0.0.1',
    PORT: '0',
    API_TOKENS: 'demo=demo-token-00000',
    OPERATOR_TOKENS: `${DEMO_OPERATOR.name}=demo-operator-token-0000`,
    APPROVAL_THRESHOLD_MSAT: DEMO_APPROVAL_THRESHOLD_MSAT.toString(),
    LN_NETWORK: 'regtest',
    // The sandbox's Lightning Address server is on loopback, over plain http.
    LNURL_ALLOW_PRIVATE: 'true',
    LNURL_RESOLVE_DEADLINE_MS: '10000',
    ...sandboxVariables(providers, sandbox, (name) => `demo-${name}-key`),
    PROVIDER_TIMEOUT_MS: '1500',
    SETTLE_POLL_MS: '250',
    SETTLE_POLL_MAX_MS: '2000',
    SUBMIT_BACKOFF_MS: '200',
    SUBMIT_CONCURRENCY: '16',
    AURPAY_LOOKUP_MAX_PAGES: '50',
    SWEEP_EVERY_MS: '2000',
    // One payout in seven meets a fault that leaves its outcome unknown on purpose: a breaker tuned
    // for a real provider would keep pausing the demo, so it opens later and probes sooner here.
    BREAKER_THRESHOLD: '25',
    BREAKER_COOLDOWN_MS: '2000',
    // The faults are expected; their warnings would bury the progress bar.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  }, providers);
  // The report goes to stdout; logs stay out of its way.
  const logger = createLogger(config.LOG_LEVEL, process.stderr);
  const runtime = await createRuntime(config, { logger, providers });
  let stopped = false;
  const cleanup = async () => {
    if (stopped) return;
    stopped = true;
    await runtime.close();
    await sandbox.close();
    await redis.private?.stop();
  };
  stopOnSignals(cleanup, (m) => console.error(m));

  try {
    await runtime.startWorkers();
    (opts.json ? console.error : console.log)(
      `demo: ${opts.count} payouts through the Aurpay and TurinPay sandboxes (faults on), Redis ${redis.private ? `private at ${redis.url}` : redis.url}, QUEUE_PREFIX=${config.QUEUE_PREFIX}`,
    );
    const started = Date.now();
    const bar = new cliProgress.SingleBar({ format: ' {phase} [{bar}] {value}/{total} {detail}', hideCursor: true }, cliProgress.Presets.shades_classic);
    bar.start(opts.count, 0, { phase: 'enqueue', detail: '' });
    let seen = 0;
    const answer = await enqueueBatch(runtime.enqueueDeps, producer('demo'), `demo-batch-${randomUUID().slice(0, 8)}`, items, { onItem: () => bar.update(++seen) });
    const enqueueSeconds = (Date.now() - started) / 1000;
    await approveHeld(runtime.enqueueDeps, showcase);
    bar.update(0, { phase: 'settle ' });
    const deadline = Date.now() + opts.timeoutS * 1000;
    let summary = await runtime.store.batchSummary(answer.batchId);
    while (summary && !summary.done && Date.now() < deadline) {
      await sleep(250);
      summary = await runtime.store.batchSummary(answer.batchId);
      const terminal = TERMINAL_STATUSES.reduce((n, s) => n + (summary?.byStatus[s] ?? 0), 0);
      const detail = Object.entries(summary?.byStatus ?? {}).map(([s, n]) => `${s}:${n}`).join(' ');
      bar.update(terminal, { detail });
    }
    bar.stop();
    if (!summary) throw new Error('the demo batch vanished from Redis');
    const duplicates = sandbox.ledger.duplicates();
    const disagreements = await ledgerDisagreements(runtime.store, sandbox.ledger, answer.batchId);
    const seconds = (Date.now() - started) / 1000;
    const payments = sandbox.ledger.payments().length;
    const policy = await showcaseReport(runtime.store, showcase);
    const lightningAddresses = await lightningAddressReport(runtime.store, addressIds);
    if (opts.json) {
      const ledger = { payments, paidTwice: duplicates, disagreements };
      console.log(jsonReport({ answer, summary, seconds, enqueueSeconds, interrupted: false, ledger, policy, lightningAddresses }));
    } else {
      console.log(formatReport({ summary, seconds, enqueueSeconds, payments, duplicatePayments: duplicates, rejected: answer.rejected.length }));
      console.log(`records agree with the ledger: ${disagreements.length === 0 ? 'yes' : `NO\n  ${disagreements.slice(0, 20).join('\n  ')}`}`);
      for (const line of formatShowcase(policy)) console.log(line);
      for (const line of formatLightningAddresses(lightningAddresses)) console.log(line);
    }
    return summary.done && duplicates.length === 0 && disagreements.length === 0 && answer.rejected.length === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}
