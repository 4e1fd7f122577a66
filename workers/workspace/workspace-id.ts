/**
 * A stable Workspace id for any key: `<prefix>-` and 16 hex digits of the
 * key's SHA-256 — valid under from-env.ts's rule for any key, and the same
 * key reaches the same sandbox. Research runs use `rr` over their run key,
 * fix runs `fx` over `fix:<report>`.
 */
export async function workspaceIdFor(prefix: string, key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  return `${prefix}-${Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
