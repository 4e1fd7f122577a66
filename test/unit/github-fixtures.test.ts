/** The GitHub fixtures are the real @octokit/webhooks-examples payloads, unchanged. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { example, here, loadExamples, PICKS } from "../fixtures/github/extract";

describe("test/fixtures/github", () => {
  const defs = loadExamples();
  for (const [file, [event, index]] of Object.entries(PICKS)) {
    it(`${file} is ${event} example ${index} of @octokit/webhooks-examples`, () => {
      const copy = JSON.parse(readFileSync(join(here, file), "utf8")) as unknown;
      expect(copy).toEqual(example(defs, event, index));
    });
  }
});
