import { describe, expect, it } from "vitest";
import { deadLetterFor } from "../../workers/normalize/dead-letter";

describe("deadLetterFor", () => {
  it("never throws: a body too deep to serialize is described instead", () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 200_000; i++) deep = { d: deep };
    const letter = deadLetterFor({ id: "m1", attempts: 3, body: { project: "p", signal: { id: "s1" }, deep } }, "processing_failed", "boom");
    expect(letter).toMatchObject({ project: "p", signal_id: "s1", reason: "processing_failed", attempts: 3 });
    expect(letter.body_text).toMatch(/^\[body not serializable: /);
  });

  it("keeps a readable body as JSON, cut to 100,000 characters", () => {
    const letter = deadLetterFor({ id: "m2", attempts: 1, body: { project: "p", signal: { id: "s2", content: "x".repeat(300_000) } } }, "invalid_message", "d");
    expect(letter.body_text).toHaveLength(100_000);
    expect(letter.body_text.startsWith('{"project":"p"')).toBe(true);
  });

  it("reads ids only when they are strings", () => {
    const letter = deadLetterFor({ id: "m3", attempts: 1, body: { project: 7, signal: null } }, "invalid_message", "d");
    expect([letter.project, letter.signal_id]).toEqual([null, null]);
  });
});
