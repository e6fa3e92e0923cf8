import type { Logger } from '../logger.ts';
import type { Network } from '../config.ts';
import type { BatchAnswer, BatchItemKind, BatchSummary } from '../withdrawals/batches.ts';
import type { ApiError } from '../withdrawals/errors.ts';
import type { WithdrawalRequest } from '../withdrawals/request.ts';
import type { Status } from '../withdrawals/status.ts';
import type { ProviderName, WithdrawalRecord as StoredRecord } from '../withdrawals/types.ts';

/** A withdrawal as `GET /v1/withdrawals/:id` returns it. */
export type WithdrawalRecord = Omit<StoredRecord, 'reconcileDeadline'>;

/** A withdrawal as a listing shows it: the record without its history. */
export type WithdrawalView = Omit<WithdrawalRecord, 'history'>;

export interface ListOptions {
  /** Only withdrawals now in this status (a page then examines a bounded window: see `list`). */
  status?: Status;
  /** Only this batch's withdrawals. */
  batchId?: string;
  /** 1 to 1000. @defaultValue 100 */
  limit?: number;
  /** `next` of the page before (with the same filters). */
  cursor?: string | null;
}

/** A page of `list`, as `GET /v1/withdrawals` answers it. */
export interface WithdrawalPage {
  /** Newest first. */
  withdrawals: WithdrawalView[];
  /** Pass it as `cursor` for the next page; null: none. */
  next: string | null;
}

/** What `enqueue` did: the same three answers as `POST /v1/withdrawals` (202, 200, 400/409). */
export type EnqueueOutcome =
  | { kind: 'accepted'; record: WithdrawalRecord }
  | { kind: 'replayed'; record: WithdrawalRecord }
  | { kind: 'refused'; status: 400 | 403 | 409; error: ApiError };

/**
 * Where the service keeps its data and the rules it enqueues by: give the same values as the
 * service's environment (named after each option), or producers and API would disagree. The money
 * policy (ALLOW_ONCHAIN, MAX_AMOUNT_MSAT, APPROVAL_THRESHOLD_MSAT, APPROVALS_REQUIRED, the daily
 * limits, AUTO_PROVIDER_ORDER, INVOICE_EXPIRY_MARGIN_S) is read from process.env as the API reads it
 * when its option is not given; when both are, the stricter wins (docs/library.md).
 */
export interface WithdrawalsClientOptions {
  /** REDIS_URL. */
  redisUrl: string;
  /** REDIS_SENTINELS: `host:port,...` of Sentinels; the client then follows the primary they name. @defaultValue none */
  redisSentinels?: string;
  /** REDIS_SENTINEL_NAME. @defaultValue 'mymaster' */
  redisSentinelName?: string;
  /** REDIS_MIN_REPLICAS_ACK: an enqueue is accepted only once this many replicas hold it. @defaultValue 0 */
  redisMinReplicasAck?: number;
  /** REDIS_ACK_TIMEOUT_MS. @defaultValue 1000 */
  redisAckTimeoutMs?: number;
  /**
   * The producer this client enqueues as: it owns the withdrawals and batches it creates, exactly as
   * an API token of that name would (interface.md, "Who may do what"). On-chain withdrawals are for
   * operators and are refused here. @defaultValue 'default'
   */
  producer?: string;
  /** QUEUE_PREFIX. @defaultValue 'wd' */
  prefix?: string;
  /** LN_NETWORK: invoices and addresses of other networks are refused. @defaultValue 'bitcoin' */
  network?: Network;
  /** Providers the workers hold keys for; others are refused `provider_disabled`. @defaultValue both */
  providers?: readonly ProviderName[];
  /** ALLOW_ONCHAIN (false when the variable is false). @defaultValue ALLOW_ONCHAIN, else false */
  allowOnchain?: boolean;
  /**
   * LNURL_ALLOW_PRIVATE: accept Lightning Addresses on loopback or private hosts (false when the
   * variable is false). @defaultValue LNURL_ALLOW_PRIVATE, else false
   */
  lnurlAllowPrivate?: boolean;
  /** MAX_AMOUNT_MSAT (the lower of the two when the variable is set). @defaultValue MAX_AMOUNT_MSAT, else no limit */
  maxAmountMsat?: bigint;
  /**
   * APPROVAL_THRESHOLD_MSAT: withdrawals of at least this much wait for operators' approval (the
   * lower of the two when the variable is set). @defaultValue APPROVAL_THRESHOLD_MSAT, else none
   */
  approvalThresholdMsat?: bigint;
  /** APPROVALS_REQUIRED (the higher of the two when the variable is set). @defaultValue APPROVALS_REQUIRED, else 1 */
  approvalsRequired?: number;
  /** LIMIT_DAILY_AMOUNT_MSAT: this producer's total per UTC day (the lower of the two). @defaultValue LIMIT_DAILY_AMOUNT_MSAT, else none */
  dailyAmountLimitMsat?: bigint;
  /** LIMIT_DAILY_COUNT: this producer's withdrawals per UTC day (the lower of the two). @defaultValue LIMIT_DAILY_COUNT, else none */
  dailyCountLimit?: number;
  /**
   * QUOTA_DAILY_CREATED: withdrawals this producer may create per UTC day, cancelled and failed ones
   * included (the lower of the two). @defaultValue QUOTA_DAILY_CREATED, else none
   */
  dailyCreatedQuota?: number;
  /**
   * AUTO_PROVIDER_ORDER: the order `provider: "auto"` tries providers in; when the variable is set,
   * only the providers it lists are kept. @defaultValue AUTO_PROVIDER_ORDER, else the providers' order
   */
  autoProviderOrder?: readonly string[];
  /** INVOICE_EXPIRY_MARGIN_S (the higher of the two when the variable is set). @defaultValue INVOICE_EXPIRY_MARGIN_S, else 60 */
  invoiceExpiryMarginS?: number;
  /** RECONCILE_GRACE_MS. @defaultValue 3600000 */
  reconcileGraceMs?: number;
  /** SUBMIT_ATTEMPTS (the submit jobs this client adds carry it). @defaultValue 8 */
  submitAttempts?: number;
  /** SUBMIT_BACKOFF_MS. @defaultValue 1000 */
  submitBackoffMs?: number;
  /** EVENTS_MAX_LEN. @defaultValue 1000000 */
  eventsMaxLen?: number;
  /** EVENTS_MAX_BYTES. @defaultValue 268435456 */
  eventsMaxBytes?: number;
  /** VALIDATION_THREADS: threads validating batch items. @defaultValue one per core beyond the first, at most 4 */
  validationThreads?: number;
  /** How long to wait for Redis at start. @defaultValue 10000 */
  connectTimeoutMs?: number;
  /** @defaultValue silent */
  logger?: Logger;
}

export interface EnqueueBatchOptions {
  /** @defaultValue a generated `batch_<uuid>` */
  batchId?: string;
  /** Items stored at once. @defaultValue 1024 */
  concurrency?: number;
  onItem?(kind: BatchItemKind): void;
}

export interface WaitOptions {
  /** Gives up (WithdrawalsClientError `timeout`) after this long. */
  timeoutMs: number;
  /** Statuses that end the wait. @defaultValue the terminal ones */
  statuses?: readonly Status[];
  /** @defaultValue 250 */
  pollMs?: number;
  signal?: AbortSignal;
}

export interface WaitForBatchOptions {
  /** @defaultValue no limit */
  timeoutMs?: number;
  /** @defaultValue 250 */
  pollMs?: number;
  signal?: AbortSignal;
  /** Called with every summary read, for progress displays. */
  onProgress?(summary: BatchSummary): void;
}

/** A producer of withdrawals that talks to Redis directly (no HTTP), with the API's validation. */
export interface WithdrawalsClient {
  readonly prefix: string;
  /** Validates and enqueues one withdrawal, exactly as `POST /v1/withdrawals`. Redis errors throw. */
  enqueue(body: WithdrawalRequest): Promise<EnqueueOutcome>;
  /** Enqueues items (bodies, or a file's items from `batchFileItems`) as one batch, as `POST /v1/batches`. */
  enqueueBatch(items: Iterable<unknown> | AsyncIterable<unknown>, opts?: EnqueueBatchOptions): Promise<BatchAnswer>;
  get(id: string): Promise<WithdrawalRecord | null>;
  /**
   * This client's producer's withdrawals, newest first, a page at a time, as `GET /v1/withdrawals`.
   * With `status`, a page examines at most 2,000 withdrawals and may hold fewer than `limit` (even
   * none) while `next` is not null. A bad option or cursor throws `invalid_request`.
   */
  list(opts?: ListOptions): Promise<WithdrawalPage>;
  /** Polls until the withdrawal reaches one of `statuses` (default: terminal). */
  waitFor(id: string, opts: WaitOptions): Promise<WithdrawalRecord>;
  batch(id: string): Promise<BatchSummary | null>;
  /** Polls until every item of the batch is terminal (`done`). */
  waitForBatch(id: string, opts?: WaitForBatchOptions): Promise<BatchSummary>;
  /** Closes the Redis connections. Idempotent. */
  close(): Promise<void>;
}

export type ClientErrorCode = 'not_found' | 'timeout' | 'invalid_request' | 'idempotency_conflict';

/** A wait that ended without its status (`timeout`), an id that names nothing (`not_found`), a bad batch id. */
export class WithdrawalsClientError extends Error {
  override name = 'WithdrawalsClientError';
  /**
   * The id of the client call that failed (a fresh UUID per call), as `x-request-id` names an API
   * request: the client's log lines written during that call carry it as `reqId`.
   */
  requestId: string | null = null;
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}
