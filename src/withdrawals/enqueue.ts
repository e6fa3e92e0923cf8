import type { Tracer } from '@opentelemetry/api';
import { approvalsNeeded, mayAccess, type Caller } from '../callers.ts';
import type { Logger } from '../logger.ts';
import type { Queues } from '../queues/queues.ts';
import type { AmountBudget } from './amount-budget.ts';
import type { CheckContext } from './checks.ts';
import { apiError, type ApiError } from './errors.ts';
import type { CreateResult, DailyLimits, DailyUsage, WithdrawalStore } from './store.ts';
import type { ProviderName, WithdrawalRecord } from './types.ts';
import type { ValidationPool } from './validation/pool.ts';
import type { PartSlot } from './batch-parts.ts';
import { AUTO, chooseProvider } from './routing.ts';
import { ATTR, withdrawalAttributes } from '../telemetry/attributes.ts';
import { inSpan } from '../telemetry/tracing.ts';
import { validateWithdrawal, type Validation } from './validation/validate.ts';
import { sameBody } from './body-hash.ts';

export interface EnqueueDeps {
  store: WithdrawalStore;
  queues: Queues;
  logger: Logger;
  checks(): CheckContext;
  /** How long after the invoice expires reconciliation may go on before `needs_review`. */
  reconcileGraceMs: number;
  /** Budget for on-chain withdrawals, which have no invoice expiry. */
  addressReconcileMs?: number;
  /** The most one batch may pay in total (MAX_BATCH_AMOUNT_MSAT), or null. */
  maxBatchAmountMsat?: bigint | null;
  /** Threads that validate batch items (VALIDATION_THREADS); without it batches validate inline. */
  validationPool?: ValidationPool;
  /** Money policy (interface.md, "Approvals, limits and routing"); absent: none. */
  policy?: MoneyPolicy;
  /** Whether a provider's submissions are paused (its breaker is open): `auto` routes around it. */
  providerPaused?(provider: ProviderName): Promise<boolean>;
  /** Traces on: each withdrawal's enqueue is a span, the parent of its submit job's. */
  tracer?: Tracer;
}

export interface MoneyPolicy {
  /** APPROVAL_THRESHOLD_MSAT: withdrawals of at least this much wait for approval (on-chain ones always do). */
  approvalThresholdMsat: bigint | null;
  /** APPROVALS_REQUIRED: distinct operators who must approve one. */
  approvalsRequired: number;
  /** INVOICE_EXPIRY_MARGIN_S in ms: one whose invoice expires within it is cancelled, not approved. */
  expiryMarginMs: number;
  /** LIMIT_DAILY_AMOUNT_MSAT and LIMIT_DAILY_COUNT, per producer and UTC day. */
  daily: DailyLimits;
  /** QUOTA_DAILY_CREATED: withdrawals a producer may create per UTC day, none given back; absent or null: none. */
  createdQuota?: number | null;
}

/**
 * The provider a new withdrawal goes to: the one named, or for `auto` the first of its route whose
 * submissions are not paused; `routing` says so for the history.
 */
async function pickProvider(
  deps: EnqueueDeps,
  requested: ProviderName | typeof AUTO,
  route: ProviderName[] | null,
): Promise<{ provider: ProviderName; route: ProviderName[] | null; routing: string | null }> {
  if (requested !== AUTO) return { provider: requested, route: null, routing: null };
  if (!route || route.length === 0) throw new Error('a withdrawal routed "auto" came without its route');
  const { provider, skipped } = await chooseProvider(route, async (p) => (await deps.providerPaused?.(p)) ?? false);
  const why = skipped.length > 0 ? `; skipped ${skipped.join(', ')}: submissions paused` : '';
  return { provider, route, routing: `routed to ${provider} (auto: ${route.join(' > ')}${why})` };
}

/** Held for operators' approval: every on-chain withdrawal, and any at or above the threshold. */
export function needsApproval(policy: MoneyPolicy | undefined, amountMsat: bigint | null, isAddress: boolean): boolean {
  if (isAddress) return true;
  const threshold = policy?.approvalThresholdMsat ?? null;
  return threshold !== null && amountMsat !== null && amountMsat >= threshold;
}

function limitRefusal(limits: DailyLimits, used: DailyUsage, amountMsat: bigint): ApiError {
  const parts: string[] = [];
  const issues: { path: string; message: string }[] = [];
  if (limits.amountMsat !== null) {
    const left = limits.amountMsat > used.amountMsat ? limits.amountMsat - used.amountMsat : 0n;
    parts.push(`${left} msat of ${limits.amountMsat} left (this one: ${amountMsat})`);
    if (amountMsat > left) issues.push({ path: 'amountMsat', message: `over the daily amount limit: ${left} msat left today (UTC)` });
  }
  if (limits.count !== null) {
    const left = Math.max(0, limits.count - used.count);
    parts.push(`${left} of ${limits.count} withdrawals left`);
    if (left === 0) issues.push({ path: 'id', message: `over the daily count limit: no withdrawal left today (UTC)` });
  }
  return apiError('limit_exceeded', `this withdrawal is past the producer's daily limit for ${used.day} (UTC): ${parts.join('; ')}; nothing was stored`, issues);
}

/** What every enqueue checks against, from the configuration (src/settings/enqueue.ts): the API, the library and the CLI alike. */
export interface EnqueueSettings {
  /** RECONCILE_GRACE_MS. */
  reconcileGraceMs: number;
  /** MAX_BATCH_AMOUNT_MSAT, or null. */
  maxBatchAmountMsat: bigint | null;
  policy: MoneyPolicy;
  /** The checks' fixed part: all but the clock and the providers this process can pay through. */
  checks: Omit<CheckContext, 'nowMs' | 'enabledProviders'>;
}

/** Enqueue dependencies: the settings, and the store, queues and providers of this process. */
export function createEnqueueDeps(
  settings: EnqueueSettings,
  parts: { store: WithdrawalStore; queues: Queues; logger: Logger; providers: readonly ProviderName[]; validationPool?: ValidationPool; tracer?: Tracer },
): EnqueueDeps {
  return {
    ...parts,
    reconcileGraceMs: settings.reconcileGraceMs,
    maxBatchAmountMsat: settings.maxBatchAmountMsat,
    policy: settings.policy,
    checks: () => ({ ...settings.checks, nowMs: Date.now(), enabledProviders: parts.providers }),
    providerPaused: (p) => parts.queues.submitQueue(p).isPaused(),
  };
}

export type EnqueueResult =
  | { kind: 'accepted'; record: WithdrawalRecord }
  | { kind: 'replayed'; record: WithdrawalRecord }
  | { kind: 'refused'; status: 400 | 403 | 409; error: ApiError };

/** Where one withdrawal comes from: who sends it, and the batch it joins. */
export interface EnqueueContext {
  caller: Caller;
  batchId?: string | null;
  budget?: AmountBudget | null;
  /** The body's validation when done already (a batch's validation thread), else done here. */
  validation?: Validation;
  /** The batch part whose submit job carries it (src/withdrawals/batch-parts.ts); absent: its own job. */
  part?: PartSlot | null;
}

/** On-chain withdrawals move the provider's balance (no amount is sent): operators only. */
function onchainRefusal(caller: Caller, body: unknown): ApiError | null {
  if (caller.role === 'operator') return null;
  if (typeof body !== 'object' || body === null || !('address' in body) || body.address === undefined) return null;
  // Both an invoice and an address is a malformed request (400), not an on-chain one.
  if ('invoice' in body && body.invoice !== undefined) return null;
  return apiError('forbidden', 'on-chain (address) withdrawals are for operators (OPERATOR_TOKENS); nothing was stored');
}

/**
 * Validates and stores one withdrawal, then queues its submit job. A refused request stores
 * nothing. Redis errors propagate (the API turns them into 503 `unavailable`).
 */
export async function enqueueWithdrawal(deps: EnqueueDeps, body: unknown, ctx: EnqueueContext): Promise<EnqueueResult> {
  if (!deps.tracer) return enqueueOne(deps, body, ctx);
  return inSpan(deps.tracer, 'withdrawal enqueue', withdrawalAttributes({ batchId: ctx.batchId }), async (span) => {
    const res = await enqueueOne(deps, body, ctx);
    // What was stored, or why nothing was: never the body itself.
    if (res.kind === 'refused') span.setAttribute(ATTR.refusal, res.error.code);
    else span.setAttributes(withdrawalAttributes(res.record));
    return res;
  });
}

async function enqueueOne(deps: EnqueueDeps, body: unknown, ctx: EnqueueContext): Promise<EnqueueResult> {
  const { caller } = ctx;
  const batchId = ctx.batchId ?? null;
  const budget = ctx.budget ?? null;
  const forbidden = onchainRefusal(caller, body);
  if (forbidden) return { kind: 'refused', status: 403, error: forbidden };
  const validated = ctx.validation ?? validateWithdrawal(body, deps.checks());
  if (!validated.ok) return { kind: 'refused', status: validated.status, error: validated.error };
  const { req, value: v, hash } = validated;
  const amount = v.amountMsat ?? 0n;
  if (budget && !budget.reserve(amount)) {
    // A replayed item was counted when the batch began: it is a duplicate, not over the limit.
    const stored = await deps.store.read(req.id);
    const existing = sameBody(stored?.bodyHash, hash) && stored?.owner === caller.name ? await deps.store.get(req.id) : null;
    if (existing) return { kind: 'replayed', record: existing };
    return {
      kind: 'refused',
      status: 400,
      error: apiError('invalid_request', `this item would take the batch over its limit of ${budget.limitMsat} msat (MAX_BATCH_AMOUNT_MSAT); ${budget.remainingMsat} msat remain`, [
        { path: 'amountMsat', message: 'over the batch total limit' },
      ]),
    };
  }
  const { provider, route, routing } = await pickProvider(deps, req.provider, validated.route);
  const deadline =
    v.invoiceExpiresAt !== null ? v.invoiceExpiresAt + deps.reconcileGraceMs : Date.now() + (deps.addressReconcileMs ?? 86_400_000);
  const held = needsApproval(deps.policy, v.amountMsat, req.address !== undefined);
  // Held for approval: its own job comes with the last approval.
  const part = held ? null : (ctx.part ?? null);
  let created: CreateResult;
  try {
    created = await deps.store.create({
      id: req.id,
      owner: caller.name,
      job: part?.jobId(provider) ?? null,
      provider,
      route,
      routing,
      bodyHash: hash,
      invoice: req.invoice ?? null,
      lightningAddress: req.lightningAddress ?? null,
      address: req.address ?? null,
      paymentHash: v.paymentHash,
      amountMsat: v.amountMsat,
      sendAmountMsat: v.sendAmountMsat,
      batchId,
      description: req.description ?? null,
      metadata: req.metadata ?? null,
      reconcileDeadline: deadline,
      initialStatus: held ? 'awaiting_approval' : 'queued',
      approvalsNeeded: held ? approvalsNeeded({ approvalsRequired: deps.policy?.approvalsRequired ?? 1 }, req.address !== undefined) : 0,
      expiresAt: v.invoiceExpiresAt,
      dailyLimits: deps.policy?.daily,
      dailyQuota: deps.policy?.createdQuota ?? null,
    });
  } catch (err) {
    budget?.release(amount);
    throw err;
  }
  // Only a newly stored item spends the budget (a replayed one was counted when the batch began).
  if (created.kind !== 'created') budget?.release(amount);
  switch (created.kind) {
    case 'limit_exceeded':
      return { kind: 'refused', status: 409, error: limitRefusal(deps.policy?.daily ?? { amountMsat: null, count: null }, created.used, amount) };
    case 'quota_exceeded':
      return {
        kind: 'refused',
        status: 409,
        error: apiError(
          'limit_exceeded',
          `this producer already created ${created.created} withdrawals on ${created.day} (UTC), its daily quota (QUOTA_DAILY_CREATED, ` +
            'cancelled and failed ones included); nothing was stored, try again tomorrow (UTC)',
          [{ path: 'id', message: 'over the daily quota of created withdrawals' }],
        ),
      };
    case 'conflict':
      return {
        kind: 'refused',
        status: 409,
        // Nothing of the record already there: it may be another producer's.
        error: apiError('idempotency_conflict', `the id ${req.id} is already taken by a withdrawal with a different body or owner; use a new id for a new withdrawal`),
      };
    case 'invoice_used':
      return {
        kind: 'refused',
        status: 409,
        error: apiError(
          'invoice_already_used',
          // Another producer's withdrawal id is not this caller's to see.
          mayAccess(caller, created.otherOwner)
            ? `this invoice is already used by withdrawal ${created.otherId}; an invoice can be paid only once`
            : 'this invoice is already used by another withdrawal; an invoice can be paid only once',
        ),
      };
    case 'address_open':
      return {
        kind: 'refused',
        status: 409,
        error: apiError(
          'invalid_state',
          mayAccess(caller, created.otherOwner)
            ? `withdrawal ${created.otherId} to this address is not final yet; one on-chain withdrawal per address at a time`
            : 'another withdrawal to this address is not final yet; one on-chain withdrawal per address at a time',
        ),
      };
    case 'exists':
      return { kind: 'replayed', record: created.record };
    case 'created':
      // Held for approval: its submit job is queued with the last approval.
      if (created.record.status !== 'queued') return { kind: 'accepted', record: created.record };
      if (part) {
        part.join(provider, req.id);
        return { kind: 'accepted', record: created.record };
      }
      try {
        await deps.queues.addSubmit(provider, req.id, 0);
      } catch (err) {
        // The record is safe in Redis; the sweep gives it a job when the queue is reachable again.
        deps.logger.warn({ err, withdrawalId: req.id }, 'withdrawal stored but its submit job could not be queued yet');
      }
      return { kind: 'accepted', record: created.record };
  }
}
