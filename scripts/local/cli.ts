/**
 * What the local services' command lines share (sandbox service, git server,
 * local forge, forge stack): the value after a flag, and whether a module is
 * the script node was started with (so importing it starts nothing).
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** the argument after `name` on the command line, if any */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `import.meta.url` of the caller is the script node runs (not a module imported by another) */
export function isMain(moduleUrl: string): boolean {
  return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
}
