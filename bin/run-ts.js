#!/usr/bin/env node
// Runs a TypeScript entrypoint of this repository (used by npm scripts and by tests that spawn processes).
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

register();
const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: run-ts.js FILE.ts [args...]');
  process.exit(2);
}
process.argv = [process.argv[0] ?? 'node', resolve(file), ...rest];
await import(pathToFileURL(resolve(file)).href);
