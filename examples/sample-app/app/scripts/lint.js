// Lint for CI: no debugging left in shipped code (console.log, console.debug, debugger) under src/.
// Prints file:line for each and exits 1 when it finds any.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const FORBIDDEN = /\bconsole\.(log|debug)\s*\(|\bdebugger\s*;/;

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".js") ? [join(dir, e.name)] : []));
}

let problems = 0;
for (const file of files("src")) {
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (FORBIDDEN.test(line)) {
        console.error(`${file}:${i + 1}: debugging left in shipped code: ${line.trim()}`);
        problems++;
      }
    });
}
if (problems) {
  console.error(`lint: ${problems} problem(s)`);
  process.exit(1);
}
console.log("lint: ok");
