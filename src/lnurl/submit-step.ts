import type { Logger } from '../logger.ts';
import { failureOf } from '../withdrawals/failure.ts';
import type { Status } from '../withdrawals/status.ts';
import type { RecordIdentity, WithdrawalStore } from '../withdrawals/store.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import type { Withdrawal } from '../withdrawals/withdrawal.ts';
import { resolveLightningAddress, type LnurlFailureCode, type Resolution, type ResolverSettings } from './resolve.ts';

/**
 * The submit's first step for a Lightning Address withdrawal that has no invoice yet: resolve it,
 * then store the invoice (resolve.lua: once, with its payment-hash claim) or end the withdrawal
 * `failed` with its code, nothing sent and the budget given back (`queued -> failed`). Once an
 * invoice is stored it is never resolved again: the submit pays the stored one.
 */

/** What a resolution came to (metrics): `resolved`, or the failure code. */
export type ResolutionOutcome = 'resolved' | LnurlFailureCode;

export type ResolveStep = { kind: 'ready'; rec: Withdrawal } | { kind: 'done'; result: string };

export interface ResolveStepDeps {
  store: Pick<WithdrawalStore, 'read' | 'transition' | 'storeInvoice' | 'resolveStartedAt'>;
  settings: ResolverSettings;
  /** RECONCILE_GRACE_MS: the stored invoice's reconciliation deadline is its expiry plus this. */
  reconcileGraceMs: number;
  logger: Logger;
  onResolution?(outcome: ResolutionOutcome): void;
  onTerminal?(provider: ProviderName, status: Status, createdAt: string): void;
  /** Asks the Lightning Address's server for an invoice. @defaultValue resolveLightningAddress (LUD-16, LUD-06) */
  resolve?(lightningAddress: string, amountMsat: bigint, settings: ResolverSettings): Promise<Resolution>;
}

/** How long the first attempt's time is kept past the deadline (a job delayed by a stopped fleet still finds it). */
const KEEP_START_AFTER_DEADLINE_MS = 3_600_000;

export function createResolveStep(deps: ResolveStepDeps) {
  async function fail(rec: Withdrawal, known: RecordIdentity, code: LnurlFailureCode, message: string): Promise<ResolveStep> {
    deps.onResolution?.(code);
    const done = await deps.store.transition(rec.id, {
      known,
      from: 'queued',
      to: 'failed',
      change: { failure: failureOf(code, message), reconcileDeadline: null },
      cause: `Lightning Address not resolved (${code}): nothing sent`,
    });
    if (!done.ok) return { kind: 'done', result: `skipped: ${done.current ?? 'missing'}` };
    deps.logger.warn({ withdrawalId: rec.id, code, reason: message }, 'Lightning Address withdrawal failed before any provider call');
    if (rec.createdAt) deps.onTerminal?.(rec.provider, 'failed', rec.createdAt);
    return { kind: 'done', result: 'failed' };
  }

  async function reread(id: string): Promise<ResolveStep> {
    const rec = await deps.store.read(id);
    if (!rec) return { kind: 'done', result: 'skipped: missing' };
    if (rec.invoice === null) return { kind: 'done', result: `skipped: ${rec.status}` };
    return { kind: 'ready', rec };
  }

  return async (rec: Withdrawal, known: RecordIdentity): Promise<ResolveStep> => {
    const address = rec.lightningAddress;
    if (!address || rec.amountMsat === null) return fail(rec, known, 'lnurl_invalid', 'the withdrawal has no Lightning Address or amount');
    // The deadline runs from the first attempt, whichever worker or process made it.
    const now = deps.settings.now ?? Date.now;
    const startedAt = await deps.store.resolveStartedAt(rec.id, now(), deps.settings.deadlineMs + KEEP_START_AFTER_DEADLINE_MS);
    const res = await (deps.resolve ?? resolveLightningAddress)(address, rec.amountMsat, { ...deps.settings, startedAt });
    // A stopping worker leaves it queued with nothing stored; the sweep gives it a new job.
    if (!res.ok && res.code === null) return { kind: 'done', result: 'skipped: the worker is stopping' };
    if (!res.ok) return fail(rec, known, res.code, res.message);
    const stored = await deps.store.storeInvoice(rec.id, {
      invoice: res.invoice,
      paymentHash: res.paymentHash,
      expiresAt: res.expiresAt,
      descriptionHashMatches: res.descriptionHashMatches,
      reconcileDeadline: res.expiresAt + deps.reconcileGraceMs,
      cause: `Lightning Address resolved to an invoice of ${rec.amountMsat} msat (payment hash ${res.paymentHash}; description hash ${res.descriptionHashMatches ? 'matches' : 'does not match'} the metadata)`,
    });
    switch (stored.kind) {
      case 'stored':
        deps.onResolution?.('resolved');
        return reread(rec.id);
      case 'resolved':
        // Another attempt stored one first: that invoice is paid, or nothing.
        return reread(rec.id);
      case 'invoice_used':
        return fail(rec, known, 'lnurl_invalid', 'the invoice the server gave has a payment hash another withdrawal already uses');
      case 'status':
        return { kind: 'done', result: `skipped: ${stored.status}` };
      case 'missing':
        return { kind: 'done', result: 'skipped: missing' };
    }
  };
}
