/** The Bitcoin networks this engine can pay on, and their BOLT11 invoice prefixes. */

export const NETWORKS = ['bitcoin', 'testnet', 'signet', 'regtest'] as const;
export type Network = (typeof NETWORKS)[number];

/** `ln` + the BIP-173 currency prefix of each network (signet as LND/CLN write it). */
export const INVOICE_PREFIXES: Readonly<Record<Network, string>> = {
  bitcoin: 'lnbc',
  testnet: 'lntb',
  signet: 'lntbs',
  regtest: 'lnbcrt',
};

/**
 * Longest prefix first: `lntbs` starts with `lntb` and `lnbcrt` with `lnbc`, so a
 * shortest-first match would read a signet invoice as testnet with amount "s...".
 */
const PREFIXES_LONGEST_FIRST: readonly (readonly [string, Network])[] = NETWORKS.map(
  (n) => [INVOICE_PREFIXES[n], n] as const,
).sort((a, b) => b[0].length - a[0].length);

/** Splits an invoice's human-readable part into its network and the raw amount text after the prefix. */
export function splitInvoiceHrp(hrp: string): { network: Network; amountText: string } | null {
  for (const [prefix, network] of PREFIXES_LONGEST_FIRST) {
    if (hrp.startsWith(prefix)) return { network, amountText: hrp.slice(prefix.length) };
  }
  return null;
}

export function isNetwork(value: string): value is Network {
  return (NETWORKS as readonly string[]).includes(value);
}
