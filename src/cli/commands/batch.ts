import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { batchFileItems, formatOfPath, type BatchFileFormat } from '../../batch-file/index.ts';
import { createWithdrawalsClient } from '../../client/client.ts';
import type { WithdrawalsClient } from '../../client/types.ts';
import { DEFAULT_PRODUCER, PRODUCER_NAME } from '../../callers.ts';
import { formatReport } from '../../demo/report.ts';
import { createLogger } from '../../logger.ts';
import { clientOptionsFromConfig, loadSettings } from '../../settings/index.ts';
import { builtinProviders } from '../../providers/index.ts';
import { BatchTooLargeError, type BatchAnswer, type BatchSummary } from '../../withdrawals/batches.ts';
import { TERMINAL_STATUSES } from '../../withdrawals/status.ts';
import { batchProviders, noProviderMessage } from '../batch-providers.ts';
import { EXIT, UsageError } from '../exit.ts';
import { jsonReport } from '../json-report.ts';
import { stopOnSignals } from '../signals.ts';

/**
 * The batch id of a file: its name and a hash of its bytes. Running the same file again joins the
 * same batch (its items are recognised, none is accepted twice) and shows that batch's progress.
 */
async function fileBatchId(file: string, producer: string): Promise<{ batchId: string; lines: number }> {
  const hash = createHash('sha256');
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    if (!(chunk instanceof Buffer)) throw new Error(`reading ${file} gave text where bytes were expected`);
    hash.update(chunk);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  const name = basename(file).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  // Each producer owns its batches: another producer's run of the same file is its own batch.
  const owner = producer === DEFAULT_PRODUCER ? '' : `${producer}:`;
  return { batchId: `file:${owner}${name}:${hash.digest('hex').slice(0, 16)}`, lines };
}

/** Stops reading the file when the command is interrupted; the batch then stays open (not sealed). */
async function* untilAborted(items: AsyncIterable<unknown>, signal: AbortSignal): AsyncGenerator<unknown> {
  for await (const item of items) {
    signal.throwIfAborted();
    yield item;
  }
}

function refusedLines(answer: BatchAnswer): string[] {
  if (answer.rejected.length === 0) return [];
  const rows = [`refused ${answer.rejected.length} item(s) (index is the 0-based item number):`];
  for (const r of answer.rejected) rows.push(`  #${r.index}  ${r.id ?? '-'}  ${r.error.code}  ${r.error.message}`);
  return rows;
}

function countsLine(answer: BatchAnswer): string {
  return `batch ${answer.batchId}: ${answer.accepted} accepted, ${answer.duplicates} accepted earlier, ${answer.rejected.length} refused`;
}

/** 0 when every item settled as succeeded or cancelled and none was refused; 1 otherwise. */
function exitCode(answer: BatchAnswer, summary: BatchSummary | null): number {
  if (answer.rejected.length > 0) return 1;
  if (!summary) return 0;
  return summary.done && !summary.byStatus.failed && !summary.byStatus.needs_review ? 0 : 1;
}

function terminalCount(s: BatchSummary): number {
  return TERMINAL_STATUSES.reduce((n, status) => n + (s.byStatus[status] ?? 0), 0);
}

interface BatchFile {
  path: string;
  format: BatchFileFormat;
  batchId: string;
  lines: number;
}

export interface BatchOptions {
  wait: boolean;
  producer?: string;
  /** Print the report as one JSON document on stdout, and nothing else there. */
  json?: boolean;
}

async function enqueueAndWatch(client: WithdrawalsClient, file: BatchFile, opts: BatchOptions, signal: AbortSignal): Promise<number> {
  const { format, batchId, lines } = file;
  const { wait } = opts;
  // On stderr (cli-progress's stream), drawn only on a terminal: stdout keeps the report alone.
  const bar = new cliProgress.SingleBar({ format: ' {phase} [{bar}] {value}/{total} {detail}', hideCursor: true }, cliProgress.Presets.shades_classic);
  const started = Date.now();
  bar.start(Math.max(lines - (format === 'csv' ? 1 : 0), 1), 0, { phase: 'enqueue', detail: '' });
  let seen = 0;
  let answer: BatchAnswer;
  try {
    const items = untilAborted(batchFileItems(format, createReadStream(file.path)), signal);
    answer = await client.enqueueBatch(items, { batchId, onItem: () => bar.update(++seen) });
  } finally {
    bar.stop();
  }
  const enqueueSeconds = (Date.now() - started) / 1000;
  if (!opts.json) {
    console.log(countsLine(answer));
    for (const row of refusedLines(answer)) console.log(row);
  }
  if (!wait) {
    if (opts.json) console.log(jsonReport({ answer, summary: null, seconds: enqueueSeconds, enqueueSeconds, interrupted: signal.aborted }));
    return exitCode(answer, null);
  }

  let last: BatchSummary | null = null;
  bar.start(1, 0, { phase: 'settle ', detail: '' });
  try {
    last = await client.waitForBatch(batchId, {
      signal,
      onProgress: (s) => {
        last = s;
        bar.setTotal(Math.max(s.total, 1));
        bar.update(terminalCount(s), { detail: Object.entries(s.byStatus).map(([k, n]) => `${k}:${n}`).join(' ') });
      },
    });
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    bar.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  if (opts.json) console.log(jsonReport({ answer, summary: last, seconds, enqueueSeconds, interrupted: signal.aborted }));
  else if (last) console.log(formatReport({ summary: last, seconds, enqueueSeconds, rejected: answer.rejected.length }));
  if (signal.aborted) {
    console.error(`interrupted: batch ${batchId} goes on in the workers; run the same file again to watch it`);
    return 0;
  }
  return exitCode(answer, last);
}

/**
 * `withdrawals batch FILE [--no-wait] [--json]`: enqueues a CSV or NDJSON file as one batch straight into
 * Redis (no HTTP API needed), shows progress, waits until every item settled and prints the report.
 * Workers (`withdrawals worker` or `start`) do the paying; the providers they pay through are the ones
 * it accepts items for (no provider key needed here). Exit 1 when an item was refused, failed or needs
 * review, or when no worker runs and no provider key is set.
 */
export async function batch(file: string | undefined, opts: BatchOptions): Promise<number> {
  if (!file) throw new UsageError('usage: withdrawals batch FILE [--no-wait] [--producer NAME] [--json]');
  const producer = opts.producer ?? DEFAULT_PRODUCER;
  if (!PRODUCER_NAME.test(producer)) throw new UsageError(`--producer ${JSON.stringify(producer)} must be 1-64 characters of A-Z a-z 0-9 . _ : -`);
  const format = formatOfPath(file);
  if (!format) throw new UsageError(`cannot tell the format of ${file}: name it .csv (CSV) or .ndjson / .jsonl (NDJSON)`);
  const { config } = loadSettings(process.env, builtinProviders);
  const { batchId, lines } = await fileBatchId(file, producer);
  // The report goes to stdout; logs stay out of its way.
  const logger = createLogger(config.LOG_LEVEL, process.stderr);
  // What the running service pays through, not the keys of this environment (it needs none).
  const served = await batchProviders(config, builtinProviders);
  if (!served) {
    console.error(noProviderMessage(config));
    return EXIT.failed;
  }
  if (served.from === 'environment') {
    console.error(`no worker is running under QUEUE_PREFIX=${config.QUEUE_PREFIX}: enqueuing for the providers this environment has keys for (${served.providers.join(', ')}); they wait for the workers`);
  }
  const client = await createWithdrawalsClient({ ...clientOptionsFromConfig(config, builtinProviders), providers: served.providers, logger, producer });
  const controller = new AbortController();
  const run = enqueueAndWatch(client, { path: file, format, batchId, lines }, opts, controller.signal).finally(() => client.close());
  stopOnSignals(async () => {
    controller.abort();
    await run.catch(() => undefined);
  }, (m) => console.error(m));
  try {
    return await run;
  } catch (err) {
    if (controller.signal.aborted) {
      console.error(`interrupted: the items read so far stay enqueued; run the same file again to finish batch ${batchId}`);
      return 0;
    }
    if (err instanceof BatchTooLargeError) {
      console.error(`${err.message}: the first ${err.maxItems} items were enqueued as batch ${batchId}; put the rest in another file`);
      return 1;
    }
    throw err;
  }
}
