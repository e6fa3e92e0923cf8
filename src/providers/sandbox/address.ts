/** A syntactic plausibility check for on-chain addresses (no checksum verification). */
import type { SandboxNetwork } from './invoice.ts';

const SEGWIT_HRP: Record<SandboxNetwork, string> = { bitcoin: 'bc', testnet: 'tb', signet: 'tb', regtest: 'bcrt' };
const BASE58_FIRST: Record<SandboxNetwork, string> = { bitcoin: '13', testnet: 'mn2', signet: 'mn2', regtest: 'mn2' };

export function plausibleAddress(address: string, network: SandboxNetwork): boolean {
  const lower = address.toLowerCase();
  if (address === lower || address === address.toUpperCase()) {
    const segwit = /^([a-z]{2,4})1([02-9ac-hj-np-z]{8,87})$/.exec(lower);
    if (segwit) return segwit[1] === SEGWIT_HRP[network];
  }
  const first = address[0];
  return /^[1-9A-HJ-NP-Za-km-z]{25,35}$/.test(address) && first !== undefined && BASE58_FIRST[network].includes(first);
}
