import { describe, expect, it } from "vitest";
import { failureWords } from "../../workers/grouping/failure-classes";
import { writeQueries } from "../../workers/grouping/offline-query-writer";

describe("failure classes", () => {
  it("name one failure in an exception's, a log's and a person's words alike", () => {
    expect(failureWords("requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='ranker.internal'): Read timed out.")).toEqual(["timeout"]);
    expect(failureWords("request to ranker exceeded deadline")).toEqual(["timeout"]);
    expect(failureWords("the search bar spins forever and then says try again")).toContain("timeout");
    expect(failureWords("Faraday::TooManyRequestsError: the server responded with status 429")).toEqual(["rate", "limited"]);
    expect(failureWords('pq: duplicate key value violates unique constraint "orders_sku_key"')).toEqual(["duplicate"]);
    expect(failureWords('level=warn msg="denied: missing scope billing:write"')).toEqual(failureWords("ForbiddenError: user lacks permission billing:write"));
    expect(failureWords("denied: missing scope billing:write")).not.toEqual([]);
  });
  it("know the everyday ways people name them", () => {
    expect(failureWords("the reports page takes forever, stuck on loading")).toEqual(["timeout"]);
    expect(failureWords("the app closes itself when I open the camera")).toEqual(["crash", "null"]);
    expect(failureWords("the signup form won't accept my company name")).toEqual(["validation", "rejected"]);
    expect(failureWords("every reminder email is duplicated")).toEqual(["duplicate"]);
    expect(failureWords("it says too many attempts, try again in 5 minutes")).toEqual(["rate", "limited"]);
    expect(failureWords("the dashboard still shows the old plan after upgrading")).toEqual(["stale", "conflict"]);
    expect(failureWords("nothing renders on the settings page")).toEqual(["crash", "null"]);
    expect(failureWords("the login page locks me out after one try")).toEqual(["rate", "limited"]);
    expect(failureWords("my changes to the board disappear after a refresh")).toEqual(["stale", "conflict"]);
  });
  it("name nothing in text about no failure, and several classes when several are named", () => {
    expect(failureWords("would love a dark mode for the dashboard")).toEqual([]);
    expect(failureWords("502 Bad Gateway after the request timed out")).toEqual(["timeout", "upstream", "unavailable"]);
  });
  it("join an exception's and a log line's symptom queries", () => {
    const [, errorSymptom] = writeQueries("java.net.SocketTimeoutException: Read timed out after 9000 ms calling ranker\n\tat com.acme.search.QueryService.runQuery(QueryService.java:88)");
    const [, logSymptom] = writeQueries("level=warn service=search msg=\"request to ranker exceeded deadline\" duration_ms=9120", { source_product: "logs", source_type: "log" });
    expect(errorSymptom.split(" ")).toContain("timeout");
    expect(logSymptom.split(" ")).toContain("timeout");
  });
});
