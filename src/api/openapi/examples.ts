/**
 * Example values of the OpenAPI document. Each is checked against its schema by
 * test/integration/openapi-document.test.ts. The invoice is a real, validly signed regtest BOLT11
 * invoice for 36 sat (created with src/demo/payee.ts; it expired long ago, so sending it is refused).
 */
export const EXAMPLE_INVOICE =
  'lnbcrt360n1p4sz6aqpp5guhat8qy5gxzcc9w3s4y9w0hmkqwuveygqd7znxa5jf7fxh9pt7qsp5657t78njll4snvz9dgt0wzdn2zncqsp6mqfe4yp9q64' +
  'xt6psu79qdq4wajk26mv0ys8qcteda6hgxqyz5vqcqpj9qrsgqmxvas6hquce42qyp0ej5gh8r388uzywupxt7zuapkzcph6uggqpxa3rm4rd7mkwsrnps' +
  'w9gnmralp9d0qlvff757pymwc6xkk5824gqpae6vkt';
export const EXAMPLE_PAYMENT_HASH = '472fd59c04a20c2c60ae8c2a42b9f7dd80ee3324401be14cdda493e49ae50afc';

export const withdrawalRequest = {
  id: 'payout-2026-11-21-000123',
  provider: 'turinpay',
  invoice: EXAMPLE_INVOICE,
  amountMsat: '36000',
  description: 'weekly payout',
  metadata: { userId: 'u-42' },
};

export const lightningAddressRequest = {
  id: 'payout-2026-11-21-000125',
  provider: 'auto',
  lightningAddress: 'alice@wallet.example.com',
  amountMsat: '21000',
  description: 'weekly payout',
};

export const onchainRequest = {
  id: 'payout-2026-11-21-000124',
  provider: 'turinpay',
  address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080',
  description: 'on-chain payout',
};

const base = {
  ...withdrawalRequest,
  owner: 'shop',
  lightningAddress: null,
  address: null,
  paymentHash: EXAMPLE_PAYMENT_HASH,
  feeMsat: null,
  providerRef: null,
  attempts: 0,
  batchId: null,
  failure: null,
  createdAt: '2026-11-21T10:00:00.000Z',
};

export const queuedRecord = {
  ...base,
  status: 'queued',
  updatedAt: '2026-11-21T10:00:00.000Z',
  history: [{ status: 'queued', at: '2026-11-21T10:00:00.000Z', cause: 'accepted' }],
};

export const succeededView = {
  ...base,
  status: 'succeeded',
  feeMsat: '1000',
  providerRef: EXAMPLE_PAYMENT_HASH,
  attempts: 1,
  updatedAt: '2026-11-21T10:00:02.000Z',
};

export const succeededRecord = {
  ...succeededView,
  history: [
    { status: 'queued', at: '2026-11-21T10:00:00.000Z', cause: 'accepted' },
    { status: 'submitting', at: '2026-11-21T10:00:00.010Z', cause: 'submit attempt 1' },
    { status: 'submitted', at: '2026-11-21T10:00:00.300Z', cause: 'provider accepted the payment' },
    { status: 'succeeded', at: '2026-11-21T10:00:02.000Z', cause: 'provider reports the payment succeeded' },
  ],
};

export const cancelledRecord = {
  ...base,
  status: 'cancelled',
  updatedAt: '2026-11-21T10:00:05.000Z',
  history: [
    { status: 'queued', at: '2026-11-21T10:00:00.000Z', cause: 'accepted' },
    { status: 'cancelled', at: '2026-11-21T10:00:05.000Z', cause: 'cancelled by operator', actor: 'ops', note: 'payee asked to stop' },
  ],
};

export const resolvedRecord = {
  ...base,
  status: 'failed',
  attempts: 1,
  updatedAt: '2026-11-22T09:00:00.000Z',
  failure: { code: 'reconciliation_exhausted', message: 'no definitive provider status before the reconciliation deadline', provider: null },
  history: [
    { status: 'queued', at: '2026-11-21T10:00:00.000Z', cause: 'accepted' },
    { status: 'submitting', at: '2026-11-21T10:00:00.010Z', cause: 'submit attempt 1' },
    { status: 'submitted', at: '2026-11-21T10:00:00.300Z', cause: 'provider accepted the payment' },
    { status: 'needs_review', at: '2026-11-22T08:00:00.000Z', cause: 'reconciliation budget spent' },
    { status: 'failed', at: '2026-11-22T09:00:00.000Z', cause: 'resolved by operator: failed', actor: 'ops', note: 'provider support: never sent (ticket 42)' },
  ],
};

export function error(code: string, message: string, issues: { path: string; message: string }[] = []) {
  return { error: { code, message, issues } };
}

export const batchRequest = { id: 'batch-2026-11-21', items: [withdrawalRequest, { ...onchainRequest, provider: 'aurpay' }] };

export const batchNdjson = `${JSON.stringify(withdrawalRequest)}\n${JSON.stringify(onchainRequest)}\n`;

export const batchCsv =
  'id,provider,invoice,address,amountMsat,description\n' +
  `payout-2026-11-21-000123,turinpay,${EXAMPLE_INVOICE},,36000,weekly payout\n` +
  `payout-2026-11-21-000124,turinpay,,${onchainRequest.address},,on-chain payout\n`;

export const batchAnswer = {
  batchId: 'batch-2026-11-21',
  accepted: 1,
  duplicates: 0,
  rejected: [
    {
      index: 1,
      id: 'payout-2026-11-21-000124',
      error: error('invalid_address', 'aurpay takes no on-chain address: send it through turinpay').error,
    },
  ],
};

export const batchSummary = {
  batchId: 'batch-2026-11-21',
  total: 2,
  byStatus: { succeeded: 1, submitted: 1 },
  amountMsatByStatus: { succeeded: '36000', submitted: '50000' },
  done: false,
};

export const EVENT_ID = 'evt_00000mwq8lfbk0000000000000';
export const NEXT_EVENT_ID = 'evt_00000mwq8rt9c0000000000000';

export const withdrawalEvent = { id: EVENT_ID, type: 'withdrawal.succeeded', timestamp: '2026-11-21T10:00:02.000Z', data: succeededView };

export const batchDoneEvent = {
  id: NEXT_EVENT_ID,
  type: 'batch.done',
  timestamp: '2026-11-21T10:05:00.000Z',
  data: { ...batchSummary, byStatus: { succeeded: 2 }, amountMsatByStatus: { succeeded: '86000' }, done: true },
};

export const eventPage = { events: [withdrawalEvent, batchDoneEvent], next: NEXT_EVENT_ID };

export const webhookRequest = { url: 'https://payouts.example.com/hooks/withdrawals', events: ['withdrawal.succeeded', 'withdrawal.failed', 'batch.done'] };

export const webhookEndpoint = {
  id: 'wh_6f1c2a9e04b3d7a1c5e2',
  url: webhookRequest.url,
  events: webhookRequest.events,
  owner: 'shop',
  createdAt: '2026-11-21T09:00:00.000Z',
  source: 'api',
};

export const createdWebhook = { ...webhookEndpoint, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw4Rmr8HQfRqs=' };

export const replayAnswer = { replayId: 'rp_9a0c3e1b7d2f4a65', endpointId: webhookEndpoint.id, replayed: 12, next: null };

export const withdrawalPage = { withdrawals: [succeededView], next: 'aToxNzYzNzE4ODAwMDAwOnBheW91dC0yMDI2LTExLTIxLTAwMDEyMw' };
