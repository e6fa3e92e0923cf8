#!/usr/bin/env node
// The published manifest: `prepack` drops the scripts a consumer never runs (`prepare` builds a
// checkout; the others run the tests and the benchmark), `postpack` puts package.json back as it was.
//
//   node bin/manifest.js --strip     keep package.json aside (.package.json.pack), write it without those scripts
//   node bin/manifest.js --restore   put the kept package.json back (nothing to do when none was kept)
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../package.json', import.meta.url));
const kept = fileURLToPath(new URL('../.package.json.pack', import.meta.url));
/** Scripts of the checkout only. */
const CHECKOUT_SCRIPTS = ['prepare', 'prepack', 'postpack', 'test', 'test:unit', 'typecheck', 'prebench', 'bench', 'soak', 'build'];

const mode = process.argv[2];
if (mode === '--strip') {
  // A pack that died before its postpack left the original aside: keep that one.
  const original = existsSync(kept) ? readFileSync(kept, 'utf8') : readFileSync(file, 'utf8');
  writeFileSync(kept, original);
  const manifest = JSON.parse(original);
  for (const name of CHECKOUT_SCRIPTS) delete manifest.scripts?.[name];
  if (manifest.scripts && Object.keys(manifest.scripts).length === 0) delete manifest.scripts;
  // Written beside, then renamed over: a reader never sees half a file.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
} else if (mode === '--restore') {
  if (existsSync(kept)) renameSync(kept, file);
} else {
  console.error('usage: node bin/manifest.js --strip | --restore');
  process.exit(2);
}
