import { z } from 'zod';
import { approveBodySchema, cancelBodySchema, resolveBodySchema } from '../../../withdrawals/operator.ts';
import { withdrawalIdSchema, withdrawalRequestSchema } from '../../../withdrawals/request.ts';
import { withdrawalRecordSchema } from '../../schemas/index.ts';
import * as ex from '../examples.ts';
import { bodyErrors, errorResponse, JSON_TYPE, jsonResponse, v1Responses } from '../responses.ts';
import type { RouteDoc } from '../types.ts';

const TAG = 'withdrawals';
const byId = z.object({ id: withdrawalIdSchema });
const idDoc = { id: { description: "the producer's withdrawal id", example: ex.withdrawalRequest.id } };
const forbidden = (what: string) =>
  errorResponse(`The token is a producer's: ${what} are for operators (OPERATOR_TOKENS). Nothing was stored.`, {
    forbidden: ['forbidden', `only operators (OPERATOR_TOKENS) may ${what}`],
  });
const notFound = errorResponse("No withdrawal has this id (or it is another producer's).", { not_found: ['not_found', 'no withdrawal payout-2026-11-21-000123'] });
const invalidState = (only: string) =>
  errorResponse(`The withdrawal is not ${only}.`, {
    invalid_state: ['invalid_state', `withdrawal payout-2026-11-21-000123 is succeeded; only a ${only} withdrawal can be ...`],
  });

export const createWithdrawalDoc: RouteDoc = {
  operationId: 'createWithdrawal',
  summary: 'Enqueue a withdrawal',
  description:
    'Validates the invoice (or on-chain address), stores the withdrawal and queues it for its provider. ' +
    '`id` is the idempotency key: the same id with the same body answers 200 with the current record, ' +
    'with a different body 409 `idempotency_conflict`. Give exactly one of `invoice`, `lightningAddress` or `address` (turinpay only); ' +
    '`amountMsat` is required when the invoice carries no amount, and must equal it when it does. ' +
    'A `lightningAddress` (a Lightning Address `name@domain`, LUD-16, or an LNURL-pay string `lnurl1...`) needs `amountMsat` in whole sats; ' +
    'it is accepted on its form alone and resolved into an invoice by a worker before its first provider call (its `invoice` and `paymentHash` are null until then). ' +
    'What goes wrong resolving it ends `failed` with nothing sent: `failure.code` `lnurl_unreachable`, `lnurl_refused`, `lnurl_invalid` or `lnurl_forbidden`. ' +
    'A host that is a literal non-public address or `localhost` is refused (400 `invalid_request`) unless LNURL_ALLOW_PRIVATE=true; ' +
    'a `.onion` host, or a BOLT12 offer (`lno1...`) in `invoice`, is 400 `unsupported_destination`. ' +
    "Ids are one namespace: an id another producer used answers 409 and nothing of that producer's record. " +
    'On-chain (`address`) withdrawals are for operators.',
  tags: [TAG],
  auth: 'bearer',
  body: {
    required: true,
    content: {
      [JSON_TYPE]: {
        schema: withdrawalRequestSchema,
        name: 'WithdrawalRequest',
        examples: {
          invoice: { summary: 'a Lightning invoice', value: ex.withdrawalRequest },
          lightningAddress: { summary: 'a Lightning Address', value: ex.lightningAddressRequest },
          onchain: { summary: 'an on-chain address', value: ex.onchainRequest } },
      },
    },
  },
  responses: v1Responses({
    202: jsonResponse('A new withdrawal was accepted and queued.', withdrawalRecordSchema, { queued: { value: ex.queuedRecord } }),
    200: jsonResponse('The same id with the same body was accepted before: the current record.', withdrawalRecordSchema, {
      replayed: { value: ex.succeededRecord },
    }),
    400: errorResponse('The request is invalid.', {
      invalid_request: ['invalid_request', 'invalid request: provider: Invalid option: expected one of "aurpay"|"turinpay"'],
      invalid_invoice: ['invalid_invoice', 'the invoice cannot be decoded: invalid checksum'],
      invoice_expired: ['invoice_expired', 'the invoice expired at 2026-11-22T10:00:00.000Z'],
      network_mismatch: ['network_mismatch', 'the invoice is for testnet, this service pays on regtest'],
      amount_required: ['amount_required', 'the invoice carries no amount: give amountMsat'],
      amount_mismatch: ['amount_mismatch', 'amountMsat 50000 differs from the invoice amount 36000'],
      invalid_address: ['invalid_address', 'not a regtest address'],
      provider_disabled: ['provider_disabled', 'provider aurpay is not configured here'],
      unsupported_destination: ['unsupported_destination', 'this is a BOLT12 offer (lno1...), which no provider of this service pays'],
    }),
    403: forbidden('on-chain withdrawals'),
    409: errorResponse('The id was used with a different body or by another producer, or the invoice by another withdrawal.', {
      idempotency_conflict: ['idempotency_conflict', 'withdrawal payout-2026-11-21-000123 exists with a different body'],
      invoice_already_used: ['invoice_already_used', 'this invoice is already used by withdrawal payout-2026-11-20-000007'],
      limit_exceeded: ['limit_exceeded', "this withdrawal is past the producer's daily limit for 2026-11-21 (UTC): 1000 msat of 100000000 left"],
    }),
    ...bodyErrors('64 KiB'),
  }),
};

export const getWithdrawalDoc: RouteDoc = {
  operationId: 'getWithdrawal',
  summary: 'Read a withdrawal and its history',
  tags: [TAG],
  auth: 'bearer',
  params: byId,
  paramDocs: idDoc,
  responses: v1Responses({
    200: jsonResponse('The withdrawal.', withdrawalRecordSchema, { succeeded: { value: ex.succeededRecord } }),
    404: notFound,
  }),
};

export const cancelWithdrawalDoc: RouteDoc = {
  operationId: 'cancelWithdrawal',
  summary: 'Cancel a queued withdrawal',
  description:
    'Only from `queued` or `awaiting_approval` (nothing was sent yet): a producer its own withdrawals, an operator any. Who (token name) and the note are written to the history.',
  tags: [TAG, 'operator'],
  auth: 'bearer',
  params: byId,
  paramDocs: idDoc,
  body: {
    required: false,
    content: { [JSON_TYPE]: { schema: cancelBodySchema, name: 'CancelRequest', examples: { note: { value: { note: 'payee asked to stop' } } } } },
  },
  responses: v1Responses({
    200: jsonResponse('Cancelled.', withdrawalRecordSchema, { cancelled: { value: ex.cancelledRecord } }),
    400: errorResponse('The body is invalid.', { invalid_request: ['invalid_request', 'invalid request: note: Unrecognized key'] }),
    404: notFound,
    409: invalidState('queued or awaiting_approval'),
    ...bodyErrors('64 KiB'),
  }),
};

export const resolveWithdrawalDoc: RouteDoc = {
  operationId: 'resolveWithdrawal',
  summary: 'Decide a needs_review withdrawal',
  description:
    'Only from `needs_review`: `succeeded` or `failed` settle it, `resubmit` queues it again (only when the payment provably never left). ' +
    'The operator (token name) and the note are written to the history.',
  tags: [TAG, 'operator'],
  auth: 'bearer',
  params: byId,
  paramDocs: idDoc,
  body: {
    required: true,
    content: {
      [JSON_TYPE]: {
        schema: resolveBodySchema,
        name: 'ResolveRequest',
        examples: { failed: { value: { outcome: 'failed', note: 'provider support: never sent (ticket 42)' } } },
      },
    },
  },
  responses: v1Responses({
    200: jsonResponse('Resolved.', withdrawalRecordSchema, { failed: { value: ex.resolvedRecord } }),
    400: errorResponse('The body is invalid.', { invalid_request: ['invalid_request', 'invalid request: note: Invalid input: expected string, received undefined'] }),
    403: forbidden('resolve'),
    404: notFound,
    409: invalidState('needs_review'),
    ...bodyErrors('64 KiB'),
  }),
};

export const approveWithdrawalDoc: RouteDoc = {
  operationId: 'approveWithdrawal',
  summary: 'Approve a withdrawal awaiting approval',
  description:
    'Operators only, and only from `awaiting_approval`. APPROVALS_REQUIRED distinct operators must approve; an operator counts once, and ' +
    'not for a withdrawal it created (409). The last approval moves it to `queued` in the same step. One whose invoice would expire ' +
    'first is cancelled with `failure.code` `approval_expired` (409). Who (token name) and the note are written to the history.',
  tags: [TAG, 'operator'],
  auth: 'bearer',
  params: byId,
  paramDocs: idDoc,
  body: {
    required: false,
    content: { [JSON_TYPE]: { schema: approveBodySchema, name: 'ApproveRequest', examples: { note: { value: { note: 'checked with finance' } } } } },
  },
  responses: v1Responses({
    200: jsonResponse('Approved: still awaiting_approval while more approvals are needed, else queued.', withdrawalRecordSchema, {
      queued: { value: ex.queuedRecord },
    }),
    400: errorResponse('The body is invalid.', { invalid_request: ['invalid_request', 'invalid request: note: Unrecognized key'] }),
    403: forbidden('approve'),
    404: notFound,
    409: invalidState('awaiting_approval'),
    ...bodyErrors('64 KiB'),
  }),
};
