import { describe, expect, it } from "vitest";
import { fingerprint, logTemplate } from "../../workers/grouping/fingerprint";

const sig = (content: string, source_type = "exception", source_product = "errors") => ({
  id: "x",
  project: "p",
  source_product,
  source_type,
  content,
  weight: 1,
});

describe("fingerprint", () => {
  const trace = (line: number, fn = "computeTotals") =>
    `TypeError: Cannot read properties of null (reading 'items')\n    at ${fn} (src/checkout/totals.ts:${line}:18)\n    at renderWithHooks (node_modules/react-dom/cjs/react-dom.development.js:14985:18)`;

  it("ignores line numbers and dependency frames", () => {
    expect(fingerprint(sig(trace(42)))).toBe(fingerprint(sig(trace(57))));
    expect(fingerprint(sig(trace(42)))).toBe("stack:TypeError:computeTotals@src/checkout/totals.ts");
  });

  it("separates the same error type in different functions", () => {
    expect(fingerprint(sig(trace(42)))).not.toBe(fingerprint(sig(trace(42, "uploadAvatar"))));
  });

  it("reads Python tracebacks", () => {
    const py = 'Traceback (most recent call last):\n  File "app/billing.py", line 12, in charge\n    total = cart.total\nAttributeError: NoneType has no attribute total';
    // the error line comes last in Python; frames alone are enough with a type
    expect(fingerprint(sig(py))).toBe("stack:AttributeError:charge@app/billing.py");
  });

  it("templates JSON and plain log lines", () => {
    const a = sig('{"level":"warn","service":"auth","msg":"request exceeded 5000ms","duration_ms":7421}', "log", "logs");
    const b = sig('{"level":"warn","service":"auth","msg":"request exceeded 6000ms","duration_ms":6012}', "log", "logs");
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).toBe("log:auth:warn:request exceeded <num>");
    expect(logTemplate("user 8f2c0a1e-1111-2222-3333-444455556666 took 41ms from 10.0.0.7")).toBe("user <uuid> took <num> from <ip>");
  });

  it("has none for free text", () => {
    expect(fingerprint(sig("checkout is broken for two customers", "message", "slack"))).toBeNull();
  });
});
