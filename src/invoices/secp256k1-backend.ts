/**
 * The two secp256k1 operations invoice validation needs, from libsecp256k1 either way: the native
 * addon of the `secp256k1` package (prebuilt for linux-x64 glibc/musl, darwin-arm64 and win32-x64)
 * when it loads, else the WebAssembly build in `tiny-secp256k1`. Recovery is the cost of every
 * accepted withdrawal: ~0.08 ms native against ~0.3-0.6 ms in WebAssembly (docs/performance.md).
 *
 * Only the addon itself is loaded (`secp256k1/bindings.js`): the package's own fallback is a
 * pure-JS implementation this module never uses.
 */
import { createRequire } from 'node:module';
import * as wasm from 'tiny-secp256k1';

export type Secp256k1BackendName = 'native' | 'wasm';

export interface Secp256k1Backend {
  readonly name: Secp256k1BackendName;
  /** libsecp256k1 semantics: false for a high-S signature. Throws on a key that is not a curve point. */
  verify(hash: Uint8Array, publicKey: Uint8Array, signature64: Uint8Array): boolean;
  /** The compressed public key, or null when no point has x = r. Throws on a malformed signature. */
  recover(hash: Uint8Array, signature64: Uint8Array, recid: 0 | 1 | 2 | 3): Uint8Array | null;
}

interface NativeAddon {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

export const wasmBackend: Secp256k1Backend = {
  name: 'wasm',
  verify: (hash, publicKey, signature64) => wasm.verify(hash, publicKey, signature64, true),
  recover: (hash, signature64, recid) =>
    // tiny-secp256k1 throws where the addon answers "no key": make both answer null.
    wasm.isXOnlyPoint(signature64.subarray(0, 32)) ? wasm.recover(hash, signature64, recid, true) : null,
};

function loadNative(): Secp256k1Backend | null {
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)('secp256k1/bindings.js') as NativeAddon;
  } catch {
    return null;
  }
  return {
    name: 'native',
    verify: (hash, publicKey, signature64) => addon.ecdsaVerify(signature64, hash, publicKey),
    recover(hash, signature64, recid) {
      try {
        return addon.ecdsaRecover(signature64, recid, hash, true);
      } catch (err) {
        // "Public key could not be recover": r is not the x of any curve point (or the sum is infinity).
        if (err instanceof Error && /could not be recover/.test(err.message)) return null;
        throw err;
      }
    },
  };
}

/** Null where the platform has no prebuilt addon (and none was built): then `wasmBackend` serves. */
export const nativeBackend: Secp256k1Backend | null = loadNative();

/** The one invoice checks use: native when it loaded. Both give the same answers (tested). */
export const secp256k1Backend: Secp256k1Backend = nativeBackend ?? wasmBackend;
