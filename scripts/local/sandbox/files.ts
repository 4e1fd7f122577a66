/**
 * The container's file endpoints over a sandbox's directory: read, write,
 * exists, list-files, mkdir, delete. Paths go through WorkspacePaths (inside
 * /workspace or a 400); sizes are capped (413 FILE_TOO_LARGE).
 */
import { lstat, mkdir, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stringField } from "./body";
import { SandboxHttpError, fromFsError } from "./errors";
import type { SandboxDir } from "./sandbox-dir";

export interface FileLimits {
  maxFileBytes: number;
  maxListEntries: number;
}

type Body = Record<string, unknown>;
const now = () => new Date().toISOString();

function cwdOf(sb: SandboxDir, body: Body): string {
  return sb.sessions.get(stringField(body, "sessionId")).cwd;
}

async function fs<T>(path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof SandboxHttpError) throw e;
    throw fromFsError(e, path);
  }
}

function encodingOf(body: Body): "utf-8" | "base64" | undefined {
  const enc = stringField(body, "encoding");
  if (enc === undefined) return undefined;
  if (enc === "utf-8" || enc === "utf8") return "utf-8";
  if (enc === "base64") return "base64";
  throw new SandboxHttpError("VALIDATION_FAILED", "invalid_encoding", `encoding must be utf-8 or base64, not ${enc.slice(0, 32)}`);
}

/** Binary: a NUL byte, or bytes that are not UTF-8. */
function looksBinary(buf: Buffer): boolean {
  if (buf.includes(0)) return true;
  return !Buffer.from(buf.toString("utf8"), "utf8").equals(buf);
}

export async function readFileOp(sb: SandboxDir, body: Body, limits: FileLimits) {
  const path = stringField(body, "path", true);
  const { host } = sb.paths.hostPath(path, cwdOf(sb, body));
  const asked = encodingOf(body);
  return fs(path, async () => {
    const st = await stat(host);
    if (st.isDirectory()) throw new SandboxHttpError("IS_DIRECTORY", "is_directory", `is a directory: ${path}`, { path });
    if (st.size > limits.maxFileBytes) {
      throw new SandboxHttpError("FILE_TOO_LARGE", "file_too_large", `${path} is ${st.size} bytes, over ${limits.maxFileBytes}`, { path, size: st.size, maxBytes: limits.maxFileBytes });
    }
    const fh = await open(host, "r");
    let buf: Buffer;
    try {
      buf = await fh.readFile();
    } finally {
      await fh.close();
    }
    const binary = looksBinary(buf);
    const encoding = asked ?? (binary ? "base64" : "utf-8");
    return {
      success: true,
      path,
      content: encoding === "base64" ? buf.toString("base64") : buf.toString("utf8"),
      timestamp: now(),
      encoding,
      isBinary: binary,
      mimeType: binary ? "application/octet-stream" : "text/plain",
      size: buf.length,
    };
  });
}

export async function writeFileOp(sb: SandboxDir, body: Body, limits: FileLimits) {
  const path = stringField(body, "path", true);
  const content = stringField(body, "content", true);
  const encoding = encodingOf(body) ?? "utf-8";
  const { host } = sb.paths.hostPath(path, cwdOf(sb, body));
  const data = encoding === "base64" ? Buffer.from(content, "base64") : Buffer.from(content, "utf8");
  if (data.length > limits.maxFileBytes) {
    throw new SandboxHttpError("FILE_TOO_LARGE", "file_too_large", `content is ${data.length} bytes, over ${limits.maxFileBytes}`, { path, maxBytes: limits.maxFileBytes });
  }
  await fs(path, async () => {
    await mkdir(dirname(host), { recursive: true });
    // re-check: a directory made just now cannot lead outside, an existing link can
    sb.paths.hostPath(path, cwdOf(sb, body));
    await writeFile(host, data);
  });
  return { success: true, path, timestamp: now() };
}

export async function existsOp(sb: SandboxDir, body: Body) {
  const path = stringField(body, "path", true);
  const { host } = sb.paths.hostPath(path, cwdOf(sb, body));
  let exists = true;
  try {
    await lstat(host);
  } catch {
    exists = false;
  }
  return { success: true, path, exists, timestamp: now() };
}

export async function mkdirOp(sb: SandboxDir, body: Body) {
  const path = stringField(body, "path", true);
  const recursive = body.recursive === true;
  const { host } = sb.paths.hostPath(path, cwdOf(sb, body));
  await fs(path, () => mkdir(host, { recursive }));
  return { success: true, path, recursive, timestamp: now() };
}

export async function deleteOp(sb: SandboxDir, body: Body) {
  const path = stringField(body, "path", true);
  const { host, container } = sb.paths.hostPath(path, cwdOf(sb, body));
  if (container === "/workspace") throw new SandboxHttpError("PERMISSION_DENIED", "workspace_root", "the workspace root cannot be deleted", { path });
  await fs(path, async () => {
    const st = await lstat(host);
    if (st.isDirectory()) throw new SandboxHttpError("IS_DIRECTORY", "is_directory", `is a directory: ${path}`, { path });
    await rm(host);
  });
  return { success: true, path, timestamp: now() };
}

function modeString(mode: number): string {
  const chars = "rwxrwxrwx";
  let s = "";
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? chars[i] : "-";
  return s;
}

export async function listFilesOp(sb: SandboxDir, body: Body, limits: FileLimits) {
  const path = stringField(body, "path", true);
  const options = (body.options && typeof body.options === "object" ? body.options : {}) as Record<string, unknown>;
  const recursive = options.recursive === true;
  const includeHidden = options.includeHidden === true;
  const { host: rootHost, container: rootContainer } = sb.paths.hostPath(path, cwdOf(sb, body));
  const files: Record<string, unknown>[] = [];
  let truncated = false;
  await fs(path, async () => {
    const st = await stat(rootHost);
    if (!st.isDirectory()) throw new SandboxHttpError("NOT_DIRECTORY", "not_directory", `not a directory: ${path}`, { path });
    // breadth-first; symlinked directories are listed, never entered
    const queue: { host: string; rel: string }[] = [{ host: rootHost, rel: "" }];
    for (let next = 0; next < queue.length && !truncated; next++) {
      const dir = queue[next];
      const entries = await readdir(dir.host, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (!includeHidden && e.name.startsWith(".")) continue;
        if (files.length >= limits.maxListEntries) {
          truncated = true;
          break;
        }
        const host = join(dir.host, e.name);
        const rel = dir.rel ? `${dir.rel}/${e.name}` : e.name;
        let info;
        try {
          info = await lstat(host);
        } catch {
          continue;
        }
        const type = info.isSymbolicLink() ? "symlink" : info.isDirectory() ? "directory" : info.isFile() ? "file" : "other";
        files.push({
          name: e.name,
          absolutePath: `${rootContainer === "/" ? "" : rootContainer}/${rel}`,
          relativePath: rel,
          type,
          size: info.size,
          modifiedAt: info.mtime.toISOString(),
          mode: modeString(info.mode),
          permissions: { readable: (info.mode & 0o400) !== 0, writable: (info.mode & 0o200) !== 0, executable: (info.mode & 0o100) !== 0 },
        });
        if (recursive && type === "directory") queue.push({ host, rel });
      }
    }
  });
  return { success: true, path, files, count: files.length, truncated, timestamp: now() };
}
