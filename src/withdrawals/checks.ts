/**
 * The semantic checks of a withdrawal, after `withdrawalRequestSchema` has
 * validated its shape: provider enabled, invoice valid for this network, not
 * about to expire, amounts consistent with what each provider's API can send,
 * on-chain addresses valid and allowed. Pure: time and settings come in `ctx`. What a provider can
 * pay (an amountless invoice, an address) its definition's capabilities say.
 */
import { validateAddress } from '../addresses/validate.ts';
import { MAX_AMOUNT_MSAT as BITCOIN_SUPPLY_MSAT } from '../invoices/amount.ts';
import { decodeInvoice } from '../invoices/decode.ts';
import { InvoiceError } from '../invoices/errors.ts';
import { INVOICE_PREFIXES } from '../invoices/network.ts';
import type { Network } from '../invoices/network.ts';
import type { DecodedInvoice } from '../invoices/types.ts';
import type { ProviderProfile } from '../providers/definition.ts';
import { isBolt12Offer, parseDestination } from '../lnurl/destination.ts';
import type { WithdrawalRequest } from './request.ts';
import type { ProviderName } from './types.ts';

export type CheckCode =
  | 'invalid_request'
  | 'invalid_invoice'
  | 'invoice_expired'
  | 'network_mismatch'
  | 'amount_required'
  | 'amount_mismatch'
  | 'invalid_address'
  | 'provider_disabled'
  | 'unsupported_destination';

/**
 * How far in the future an invoice's timestamp may be (clocks drift); later ones are `invalid_invoice`
 * (interface.md "Limits"): an invoice from the future would otherwise stretch its expiry at will.
 */
export const INVOICE_FUTURE_SKEW_SECONDS = 600;

export interface CheckContext {
  /** LN_NETWORK: invoices and addresses of other networks are refused. */
  network: Network;
  /** Current time, unix ms. */
  nowMs: number;
  /** An invoice expiring sooner than this (seconds from now) is refused: it might expire in flight. */
  expiryMarginSeconds: number;
  enabledProviders: readonly ProviderName[];
  /** ALLOW_ONCHAIN: whether address (on-chain) withdrawals are accepted at all. */
  allowOnchain: boolean;
  /** LNURL_ALLOW_PRIVATE: Lightning Addresses on loopback or private hosts are accepted. @defaultValue false */
  lnurlAllowPrivate?: boolean;
  /** Largest amount one withdrawal may move; null: no limit. */
  maxAmountMsat: bigint | null;
  /** AUTO_PROVIDER_ORDER: the order `provider: "auto"` tries providers in (default: enabledProviders'). */
  routeOrder?: readonly ProviderName[];
  /**
   * Every provider the runtime knows, enabled or not (its definitions' plain data: name, label, key
   * variable, capabilities).
   */
  providers: readonly ProviderProfile[];
}

export interface CheckedWithdrawal {
  paymentHash: string | null;
  amountMsat: bigint | null;
  /** msat to send to the provider: set only for an amountless invoice */
  sendAmountMsat: bigint | null;
  /** Unix ms. */
  invoiceExpiresAt: number | null;
}

export type CheckResult =
  | { ok: true; value: CheckedWithdrawal }
  | { ok: false; code: CheckCode; message: string; field: string };

/** The providers the context knows (every one, enabled or not). */
export function knownProviders(ctx: Pick<CheckContext, 'providers'>): readonly ProviderProfile[] {
  return ctx.providers;
}

function profile(ctx: CheckContext, name: ProviderName): ProviderProfile {
  return knownProviders(ctx).find((p) => p.name === name) ?? {
    name,
    label: name,
    keyVariable: 'its API key',
    capabilities: { amountlessInvoices: false, onchain: false, settlesOnSubmit: false },
  };
}

/** `, or use provider a or b` naming the providers that can do what this one cannot; empty when none can. */
function otherwiseUse(ctx: CheckContext, can: (p: ProviderProfile) => boolean, tail = ''): string {
  const names = knownProviders(ctx).filter(can).map((p) => p.name);
  return names.length === 0 ? '' : `, or use provider ${names.join(' or ')}${tail}`;
}

/** A request whose provider is named (`auto` resolved to one by the routing). */
export type RoutedRequest = Omit<WithdrawalRequest, 'provider'> & { provider: ProviderName };

export function checkWithdrawal(req: RoutedRequest, ctx: CheckContext): CheckResult {
  if (!ctx.enabledProviders.includes(req.provider)) {
    return refuse(
      'provider_disabled',
      'provider',
      `provider ${req.provider} is disabled on this service (${profile(ctx, req.provider).keyVariable} is not set); ` +
        `use ${ctx.enabledProviders.length > 0 ? ctx.enabledProviders.join(' or ') : 'another provider once one is configured'}`,
    );
  }
  const requested = req.amountMsat === undefined ? null : BigInt(req.amountMsat);
  if (req.invoice !== undefined) return checkInvoice(req.provider, req.invoice, requested, ctx);
  if (req.address !== undefined) return checkAddress(req.provider, req.address, requested, ctx);
  if (req.lightningAddress !== undefined) return checkLightningAddress(req.lightningAddress, requested, ctx);
  return refuse('invalid_request', 'invoice', 'give exactly one of invoice (BOLT11), lightningAddress or address (on-chain)');
}

/**
 * A Lightning Address or LNURL-pay string: accepted on its form alone (the worker resolves it), with a
 * whole number of sats, since the invoice its server mints is for exactly that.
 */
function checkLightningAddress(value: string, requested: bigint | null, ctx: CheckContext): CheckResult {
  const destination = parseDestination(value, ctx.lnurlAllowPrivate ?? false);
  if (!destination.ok) return refuse(destination.code, 'lightningAddress', destination.message);
  if (requested === null) {
    return refuse('amount_required', 'amountMsat', 'a Lightning Address withdrawal needs amountMsat (a string of digits, in millisatoshi, a whole number of sats)');
  }
  if (requested === 0n || requested % 1000n !== 0n) {
    return refuse('invalid_request', 'amountMsat', `amountMsat ${requested} is not a positive whole number of sats (a multiple of 1000): Lightning Address servers take whole sats`);
  }
  const tooLarge = checkMaximum(requested, ctx, 'amountMsat');
  if (tooLarge !== null) return tooLarge;
  return { ok: true, value: { paymentHash: null, amountMsat: requested, sendAmountMsat: null, invoiceExpiresAt: null } };
}

function checkInvoice(provider: ProviderName, invoice: string, requested: bigint | null, ctx: CheckContext): CheckResult {
  if (isBolt12Offer(invoice)) {
    return refuse('unsupported_destination', 'invoice', 'this is a BOLT12 offer (lno1...), which no provider of this service pays; ask the payee for a BOLT11 invoice or a Lightning Address');
  }
  let decoded: DecodedInvoice;
  try {
    decoded = decodeInvoice(invoice);
  } catch (err) {
    if (!(err instanceof InvoiceError)) throw err;
    return refuse('invalid_invoice', 'invoice', `${err.message}; ask the payee for a valid BOLT11 invoice`);
  }
  if (decoded.network !== ctx.network) {
    return refuse(
      'network_mismatch',
      'invoice',
      `invoice is for ${decoded.network} (${INVOICE_PREFIXES[decoded.network]}...), but this service pays on ` +
        `${ctx.network} (LN_NETWORK=${ctx.network}); send a ${INVOICE_PREFIXES[ctx.network]}... invoice`,
    );
  }
  const future = decoded.timestamp * 1000 - ctx.nowMs;
  if (future > INVOICE_FUTURE_SKEW_SECONDS * 1000) {
    return refuse(
      'invalid_invoice',
      'invoice',
      `invoice is timestamped ${new Date(decoded.timestamp * 1000).toISOString()}, more than ${INVOICE_FUTURE_SKEW_SECONDS / 60} minutes ` +
        "in the future; check the payee's clock and ask for a new invoice",
    );
  }
  const expiresAtMs = decoded.expiresAt * 1000;
  if (expiresAtMs <= ctx.nowMs) {
    return refuse(
      'invoice_expired',
      'invoice',
      `invoice expired at ${new Date(expiresAtMs).toISOString()}; ask the payee for a new invoice`,
    );
  }
  if (expiresAtMs - ctx.nowMs < ctx.expiryMarginSeconds * 1000) {
    return refuse(
      'invoice_expired',
      'invoice',
      `invoice expires at ${new Date(expiresAtMs).toISOString()}, less than the ${ctx.expiryMarginSeconds} s safety margin from now, ` +
        'so it could expire before the payment arrives; ask the payee for an invoice with a longer expiry',
    );
  }

  const amount = invoiceAmount(profile(ctx, provider), decoded.amountMsat, requested, ctx);
  if (!amount.ok) return amount;
  const tooLarge = checkMaximum(amount.amountMsat, ctx, decoded.amountMsat === null ? 'amountMsat' : 'invoice');
  if (tooLarge !== null) return tooLarge;
  return {
    ok: true,
    value: {
      paymentHash: decoded.paymentHash,
      amountMsat: amount.amountMsat,
      sendAmountMsat: decoded.amountMsat === null ? amount.amountMsat : null,
      invoiceExpiresAt: expiresAtMs,
    },
  };
}

/** The amount to pay: the invoice's own, or for an amountless invoice the request's (if the provider can send one). */
function invoiceAmount(
  provider: ProviderProfile,
  inInvoice: bigint | null,
  requested: bigint | null,
  ctx: CheckContext,
): { ok: true; amountMsat: bigint } | Extract<CheckResult, { ok: false }> {
  if (inInvoice !== null) {
    if (inInvoice === 0n) {
      return refuse('invalid_invoice', 'invoice', 'invoice asks for 0 msat; ask the payee for an invoice with a positive amount');
    }
    if (requested !== null && requested !== inInvoice) {
      return refuse(
        'amount_mismatch',
        'amountMsat',
        `amountMsat is ${requested} but the invoice asks for ${inInvoice} msat; send the invoice's amount or omit amountMsat`,
      );
    }
    return { ok: true, amountMsat: inInvoice };
  }
  if (!provider.capabilities.amountlessInvoices) {
    return refuse(
      'amount_required',
      'invoice',
      `invoice has no amount, and ${provider.label}'s API takes no amount, so it can only pay invoices that carry one; ` +
        `ask the payee for an invoice with an amount${otherwiseUse(ctx, (p) => p.capabilities.amountlessInvoices)}`,
    );
  }
  if (requested === null) {
    return refuse(
      'amount_required',
      'amountMsat',
      'invoice has no amount; give amountMsat (a string of digits, in millisatoshi) to say how much to pay',
    );
  }
  if (requested === 0n) return refuse('invalid_request', 'amountMsat', 'amountMsat is 0; give a positive amount in millisatoshi');
  return { ok: true, amountMsat: requested };
}

function checkMaximum(amountMsat: bigint, ctx: CheckContext, field: string): Extract<CheckResult, { ok: false }> | null {
  // 21 million BTC holds whatever MAX_AMOUNT_MSAT says (or when it is unset): no real payment is larger.
  const limit = ctx.maxAmountMsat !== null && ctx.maxAmountMsat < BITCOIN_SUPPLY_MSAT ? ctx.maxAmountMsat : BITCOIN_SUPPLY_MSAT;
  if (amountMsat <= limit) return null;
  if (limit === BITCOIN_SUPPLY_MSAT) {
    return refuse('invalid_request', field, `amount ${amountMsat} msat is more than 21 million bitcoin (${BITCOIN_SUPPLY_MSAT} msat)`);
  }
  return refuse(
    'invalid_request',
    field,
    `amount ${amountMsat} msat is above this service's limit of ${limit} msat per withdrawal; ` +
      'split the payout into smaller withdrawals',
  );
}

function checkAddress(name: ProviderName, address: string, requested: bigint | null, ctx: CheckContext): CheckResult {
  const provider = profile(ctx, name);
  if (!provider.capabilities.onchain) {
    return refuse(
      'invalid_address',
      'address',
      `${provider.label} pays Lightning invoices only; send an invoice${otherwiseUse(ctx, (p) => p.capabilities.onchain, ' for an on-chain address')}`,
    );
  }
  if (!ctx.allowOnchain) {
    return refuse(
      'invalid_address',
      'address',
      'on-chain withdrawals are switched off on this service (setting ALLOW_ONCHAIN); send a Lightning invoice instead',
    );
  }
  const result = validateAddress(address, ctx.network);
  if (!result.ok) return refuse('invalid_address', 'address', `${result.message} (LN_NETWORK=${ctx.network})`);
  if (result.type === 'witness') {
    // BIP-350: no recipient should hand out v2+ (or non-taproot v1) outputs; today anyone could spend them.
    return refuse(
      'invalid_address',
      'address',
      'address is a segwit version no wallet uses yet, so coins sent there could be taken by anyone; ' +
        'give a P2WPKH, P2WSH, P2TR, P2PKH or P2SH address',
    );
  }
  if (requested !== null) {
    return refuse(
      'invalid_request',
      'amountMsat',
      `${provider.label}'s on-chain withdrawal moves its balance and takes no amount; remove amountMsat`,
    );
  }
  return { ok: true, value: { paymentHash: null, amountMsat: null, sendAmountMsat: null, invoiceExpiresAt: null } };
}

function refuse(code: CheckCode, field: string, message: string): Extract<CheckResult, { ok: false }> {
  return { ok: false, code, message, field };
}
