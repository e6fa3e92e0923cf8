/**
 * The system tools some tests run, and how to get each. A missing one fails the test file with
 * one line saying what to install, instead of a spawn ENOENT deep in a helper.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Each tool with the Debian/Ubuntu command that installs it (docs/testing.md; .ci/run does the same). */
export const TOOLS = {
  'redis-server': 'sudo apt-get install redis-server',
  'redis-cli': 'sudo apt-get install redis-tools',
  chromium: 'sudo apt-get install chromium',
  promtool: 'sudo apt-get install prometheus',
} as const;

export type Tool = keyof typeof TOOLS;

/** The full path of `command` in a PATH directory where it is executable, or null. */
export function findOnPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here: try the next directory.
    }
  }
  return null;
}

export function missingToolMessage(tool: Tool): string {
  return `${tool} not found on PATH: install it with "${TOOLS[tool]}" (Debian/Ubuntu)`;
}

/**
 * An error that prints as its one line: its stack frames would point here, not at anything the
 * reader has to fix.
 */
export function prerequisiteError(message: string): Error {
  const err = new Error(message);
  err.stack = `Error: ${message}`;
  return err;
}

/** The tool's path; throws a one-line "not found on PATH: install it with ..." error when missing. */
export function requireTool(tool: Tool): string {
  const found = findOnPath(tool);
  if (found === null) throw prerequisiteError(missingToolMessage(tool));
  return found;
}
