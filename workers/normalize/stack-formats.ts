/**
 * Stack frames in the formats besides V8/Node and Python (stack.ts reads
 * those): Java and Kotlin (`at com.acme.Cart.total(Cart.java:42)`), Firefox
 * and Safari (`fn@https://host/app.js:10:5`), Ruby
 * (`app/models/cart.rb:42:in 'total'`) and Go (`pkg.Func(…)` then a tab and
 * `/src/pkg/file.go:42 +0x1d`), and the error types they come with (a
 * dotted Java or Python class, a Ruby `A::B` constant, Go's `panic:`).
 * Every pattern is anchored, with no two quantifiers that can split the same
 * run of characters, and lines over MAX_FRAME_LINE are not frames: linear time.
 */
import { isInAppFile } from "./in-app";
import { repoPath } from "./repo-path";
import type { StackFrame } from "./stack";

export const MAX_FRAME_LINE = 1000;

const JAVA = /^\s*at ([\w$]+(?:[./][\w$<>-]+)+)\(([\w$. -]*)(?::(\d+))?\)\s*$/;
const FIREFOX = /^\s*([\w$.<>/*[\]-]*)@(\S+?):(\d+)(?::\d+)?\s*$/;
const RUBY = /^\s*([^\s:]+\.rb):(\d+):in [`'](?:block (?:\(\d+ levels\) )?in )?([^'`]+)'\s*$/;
const GO_FUNC = /^((?:[\w.-]+\/)*[\w.-]+?\.(?:\(\*?\w+\)\.)?\w+)\(.*\)\s*$/;
const GO_FILE = /^\t(\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;
/** Go's first line: `panic: …`, `fatal error: …`, or an `error: …` that a goroutine dump follows */
export const GO_HEAD = /^(panic|fatal error|error): (.*)$/;

/** Java packages, Ruby gems and Go's runtime and module cache are not the project's own code */
const JAVA_LIBRARY = /^(?:java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|org\.springframework|org\.apache|org\.hibernate|org\.eclipse|io\.netty|reactor|com\.fasterxml|org\.junit)\./;
const RUBY_LIBRARY = /\/gems\/|\/ruby\/\d|^<internal:|\/rubygems\//;
const GO_LIBRARY = /\/go\/pkg\/mod\/|^\/usr\/local\/go\/|\/src\/runtime\/|^runtime\//;

export interface FrameReader {
  /** a frame this line completes, or null; Go's two-line frames are read with the state kept here */
  read(line: string): StackFrame | null;
}

export function frameReader(): FrameReader {
  let goFn: string | null = null;
  return {
    read(line) {
      if (line.length > MAX_FRAME_LINE) return null;
      if (goFn !== null) {
        const fn = goFn;
        goFn = null;
        const f = GO_FILE.exec(line);
        if (f) return { fn: shortGoFn(fn), file: f[1], line: Number(f[2]), inApp: !GO_LIBRARY.test(f[1]) && !fn.startsWith("runtime.") };
      }
      let m = JAVA.exec(line);
      if (m) {
        const qualified = m[1];
        const lastDot = qualified.lastIndexOf(".");
        const cls = qualified.slice(0, lastDot);
        const pkg = cls.slice(0, cls.lastIndexOf(".") + 1).replace(/\./g, "/");
        const file = m[2] && m[2] !== "Unknown Source" && m[2] !== "Native Method" ? `${pkg}${m[2]}` : `${cls.replace(/\./g, "/")}`;
        const simpleClass = cls.slice(cls.lastIndexOf(".") + 1).replace(/\$.*$/, "");
        return { fn: `${simpleClass}.${qualified.slice(lastDot + 1)}`, file, line: m[3] ? Number(m[3]) : null, inApp: !JAVA_LIBRARY.test(qualified) };
      }
      m = RUBY.exec(line);
      if (m) return { fn: m[3], file: m[1], line: Number(m[2]), inApp: !RUBY_LIBRARY.test(m[1]) };
      m = FIREFOX.exec(line);
      if (m && /[/.]/.test(m[2])) {
        const file = repoPath(m[2]);
        return { fn: m[1] || null, file, line: Number(m[3]), inApp: file !== "[native code]" && isInAppFile(file) };
      }
      m = GO_FUNC.exec(line);
      if (m && !line.startsWith(" ") && !line.startsWith("\t")) goFn = m[1];
      return null;
    },
  };
}

/** `github.com/acme/app/search.(*Handler).RankHits` → `Handler.RankHits` */
function shortGoFn(fn: string): string {
  const base = fn.slice(fn.lastIndexOf("/") + 1);
  return base.slice(base.indexOf(".") + 1).replace(/^\(\*?(\w+)\)/, "$1");
}
