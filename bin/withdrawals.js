#!/usr/bin/env node
// The `withdrawals` command: runs the compiled package with plain Node. dist/ is built by
// `npm run build`, which `npm install` runs in a checkout (the `prepare` script).
import { existsSync } from 'node:fs';

const main = new URL('../dist/workers/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('withdrawals: dist/ is missing; run `npm run build` (npm install runs it)');
  process.exit(1);
}
await import(main.href);
