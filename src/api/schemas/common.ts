import { z } from 'zod';
import { STATUSES } from '../../withdrawals/status.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../providers/index.ts';

/** The status words of interface.md, the whole set. */
export const statusSchema = z.enum(STATUSES).describe(
  'queued: waiting for a submit worker; submitting: a worker is calling the provider; submitted: accepted by the provider, ' +
    'waiting for settlement; unknown: outcome not known, being reconciled; succeeded, failed, cancelled: final; ' +
    'needs_review: reconciliation could not prove an outcome, an operator must decide; ' +
    'awaiting_approval: held until enough operators approve it, nothing sent.',
);

/** A provider's name; the document a server serves lists its runtime's providers (document.ts, withProviders). */
export const providerSchema = z.enum(BUILTIN_PROVIDER_NAMES);

/** An ISO-8601 UTC time, as `Date.prototype.toISOString` writes it. */
export const timestampSchema = z.iso.datetime();

/** Millisatoshis as a string of digits (amounts can exceed 2^53). */
export const msatSchema = z.string().regex(/^(0|[1-9][0-9]*)$/);

export const countSchema = z.number().int().nonnegative();
