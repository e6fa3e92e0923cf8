// Entry of a validation thread. In the built package (dist/) thread.js sits beside this file and is
// plain JavaScript. Beside the TypeScript sources (tests, the bench's tools) there is none, and a
// worker thread does not inherit the TypeScript loader of the thread that started it, so it
// registers tsx (a development dependency) itself before loading thread.ts.
import { existsSync } from 'node:fs';

const built = new URL('./thread.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./thread.ts');
}
