import { z } from 'zod';
import { STATUSES } from '../../withdrawals/status.ts';
import { PROVIDERS } from '../../withdrawals/types.ts';

/** The status words of interface.md, the whole set. */
export const statusSchema = z.enum(STATUSES).describe(
  'queued: waiting for a submit worker; submitting: a worker is calling the provider; submitted: accepted by the provider, ' +
    'waiting for settlement; unknown: outcome not known, being reconciled; succeeded, failed, cancelled: final; ' +
    'needs_review: reconciliation could not prove an outcome, an operator must decide; ' +
    'awaiting_approval: held until enough operators approve it, nothing sent.',
);

export const providerSchema = z.enum(PROVIDERS);

/** An ISO-8601 UTC time, as `Date.prototype.toISOString` writes it. */
export const timestampSchema = z.iso.datetime();

/** Millisatoshis as a string of digits (amounts can exceed 2^53). */
export const msatSchema = z.string().regex(/^(0|[1-9][0-9]*)$/);

export const countSchema = z.number().int().nonnegative();
