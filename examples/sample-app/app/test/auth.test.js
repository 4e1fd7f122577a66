import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { login } from "../src/auth/client.js";
import { hashPassword, ITERATIONS } from "../src/auth/password.js";

/** A cheap stand-in for PBKDF2 that counts how often a key is derived. */
function countingDerive() {
  const derive = (password, salt, iterations) => {
    derive.calls += 1;
    return createHash("sha256").update(`${iterations}:${salt.toString("hex")}:${password}`).digest();
  };
  derive.calls = 0;
  return derive;
}

function usersWith(password, iterations, derive) {
  const passwordHash = hashPassword(password, { iterations, derive, salt: Buffer.alloc(16, 7) });
  return new Map([["ada@shop.example", { id: "u1", email: "ada@shop.example", passwordHash }]]);
}

test("a wrong password is refused", async () => {
  const derive = countingDerive();
  const users = usersWith("correct horse", ITERATIONS, derive);
  assert.deepEqual(await login(users, "ada@shop.example", "battery staple", { derive }), { ok: false, reason: "invalid_credentials" });
});

test("a hash made with an older work factor is upgraded at sign-in", async () => {
  const derive = countingDerive();
  const users = usersWith("correct horse", 210_000, derive);
  const result = await login(users, "Ada@Shop.example", "correct horse", { derive });
  assert.deepEqual(result, { ok: true, userId: "u1" });
  assert.match(users.get("ada@shop.example").passwordHash, new RegExp(`^pbkdf2\\$${ITERATIONS}\\$`));
});

test("signing in with an up-to-date hash derives the key once and keeps the hash", { todo: "known bug: sign-in derives the key twice and rewrites current hashes" }, async () => {
  const derive = countingDerive();
  const users = usersWith("correct horse", ITERATIONS, derive);
  const before = users.get("ada@shop.example").passwordHash;
  derive.calls = 0;
  const result = await login(users, "ada@shop.example", "correct horse", { derive });
  assert.deepEqual(result, { ok: true, userId: "u1" });
  assert.equal(derive.calls, 1);
  assert.equal(users.get("ada@shop.example").passwordHash, before);
});
