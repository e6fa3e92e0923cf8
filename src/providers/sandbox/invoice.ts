/** What the fake providers need from a BOLT11 invoice, read with light-bolt11-decoder. */
import { decode } from 'light-bolt11-decoder';

export type SandboxNetwork = 'bitcoin' | 'testnet' | 'signet' | 'regtest';

/** BOLT11 currency prefixes (the part after "ln"). */
export const INVOICE_HRP: Record<SandboxNetwork, string> = {
  bitcoin: 'bc',
  testnet: 'tb',
  signet: 'tbs',
  regtest: 'bcrt',
};

export interface SandboxInvoice {
  paymentHash: string;
  /** null for an amountless invoice. */
  amountMsat: bigint | null;
  /** Currency prefix, e.g. "bcrt". */
  hrp: string;
  timestamp: number;
  expirySeconds: number;
  description: string | null;
}

const DEFAULT_EXPIRY_SECONDS = 3600;

/** Decodes an invoice, or returns null when it cannot be read or has no payment hash. */
export function readInvoice(invoice: string): SandboxInvoice | null {
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(invoice);
  } catch {
    return null;
  }
  let paymentHash: string | null = null;
  let amountMsat: bigint | null = null;
  let hrp: string | null = null;
  let timestamp = 0;
  let expirySeconds = DEFAULT_EXPIRY_SECONDS;
  let description: string | null = null;
  for (const section of decoded.sections) {
    switch (section.name) {
      case 'payment_hash':
        paymentHash = section.value.toLowerCase();
        break;
      case 'amount':
        amountMsat = /^\d+$/.test(section.value) ? BigInt(section.value) : null;
        break;
      case 'coin_network':
        hrp = section.letters;
        break;
      case 'timestamp':
        timestamp = section.value;
        break;
      case 'expiry':
        expirySeconds = section.value;
        break;
      case 'description':
        description = section.value;
        break;
      default:
        break;
    }
  }
  if (paymentHash === null || !/^[0-9a-f]{64}$/.test(paymentHash) || hrp === null) return null;
  return { paymentHash, amountMsat, hrp, timestamp, expirySeconds, description };
}
