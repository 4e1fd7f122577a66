import { describe, expect, it } from "vitest";
import { parseSentryAuth, sentryKey } from "../../workers/ingest/sources/sentry/key";

describe("Sentry DSN key", () => {
  it("parses the X-Sentry-Auth header", () => {
    expect(parseSentryAuth("Sentry sentry_key=ns_abc, sentry_version=7, sentry_client=raven-python/6.10.0")).toEqual({
      sentry_key: "ns_abc",
      sentry_version: "7",
      sentry_client: "raven-python/6.10.0",
    });
    expect(parseSentryAuth('sentry sentry_version=7,sentry_key="quoted",sentry_secret=')).toEqual({ sentry_version: "7", sentry_key: "quoted" });
    expect(parseSentryAuth("Bearer ns_abc")).toBeNull();
    expect(parseSentryAuth(undefined)).toBeNull();
    // a header no SDK would send is not parsed at all
    expect(parseSentryAuth(`Sentry sentry_key=ns_abc, sentry_client=${"x".repeat(2048)}`)).toBeNull();
  });

  it("takes the key from X-Sentry-Auth, Authorization (Sentry or Bearer) or the query, headers first", () => {
    expect(sentryKey({ xSentryAuth: "Sentry sentry_key=fromheader, sentry_version=7", query: "fromquery" })).toBe("fromheader");
    expect(sentryKey({ authorization: "Sentry sentry_key=fromauth", query: "fromquery" })).toBe("fromauth");
    expect(sentryKey({ authorization: "Bearer frombearer", query: "fromquery" })).toBe("frombearer");
    expect(sentryKey({ query: "fromquery" })).toBe("fromquery");
    expect(sentryKey({ xSentryAuth: "Sentry sentry_version=7", query: " " })).toBeNull();
    expect(sentryKey({})).toBeNull();
  });
});
