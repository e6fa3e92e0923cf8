/**
 * Vitest global set-up, before any test: brings dist/ up to date with the sources, since tests spawn
 * `bin/withdrawals.js`, which runs the compiled package. Every run, so that a dist/ older than the
 * sources never decides a test; the build does nothing when its inputs have not changed.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function setup(): void {
  const build = fileURLToPath(new URL('../../bin/build.js', import.meta.url));
  // Type errors do not stop the tests (tsc emits all the same); `npm run typecheck` reports them.
  const res = spawnSync(process.execPath, [build, '--keep-going'], { stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`building dist/ failed (node bin/build.js exited with ${res.status ?? res.signal})`);
}
