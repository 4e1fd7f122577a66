/** X-Hub-Signature-256 checks: GitHub's published vector, through @octokit/webhooks-methods and our wrapper. */
import { sign, verify } from "@octokit/webhooks-methods";
import { describe, expect, it } from "vitest";
import { verifyGithubSignature } from "../../workers/ingest/sources/github/verify";
import vector from "../fixtures/clients/github_signature_vector.json";

describe("GitHub webhook signature", () => {
  it("the published vector verifies with @octokit/webhooks-methods", async () => {
    expect(vector.header).toBe("X-Hub-Signature-256");
    expect(await verify(vector.secret, vector.body, vector.signature)).toBe(true);
    expect(await sign(vector.secret, vector.body)).toBe(vector.signature);
  });

  it("our wrapper accepts the vector and refuses every near miss with a code", async () => {
    expect(await verifyGithubSignature(vector.secret, vector.body, vector.signature)).toEqual({ ok: true });
    expect(await verifyGithubSignature(vector.secret, vector.body, ` ${vector.signature.toUpperCase().replace("SHA256=", "sha256=")} `)).toEqual({ ok: true });
    const code = async (secret: string, body: string, header: string | undefined) => {
      const v = await verifyGithubSignature(secret, body, header);
      return v.ok ? "ok" : v.code;
    };
    expect(await code(vector.secret, vector.body, undefined)).toBe("missing_signature");
    expect(await code(vector.secret, vector.body, "")).toBe("missing_signature");
    expect(await code(vector.secret, `${vector.body} `, vector.signature)).toBe("invalid_signature");
    expect(await code(`${vector.secret}!`, vector.body, vector.signature)).toBe("invalid_signature");
    expect(await code(vector.secret, vector.body, vector.signature.replace("sha256=", ""))).toBe("invalid_signature");
    expect(await code(vector.secret, vector.body, vector.signature.slice(0, -2))).toBe("invalid_signature");
    expect(await code(vector.secret, vector.body, "sha256=zz")).toBe("invalid_signature");
    expect(await code(vector.secret, "", vector.signature)).toBe("invalid_signature");
  });
});
