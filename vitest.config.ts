import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { fakeOutbound } from "./test/workers/fake-outbound";
import { loopbackOutbound } from "./test/workspace/loopback-outbound";
import { SANDBOX_ORIGIN, sandboxOutbound } from "./test/research/sandbox-outbound";
import { FORGE_ORIGIN, fixOutbound } from "./test/fix/fix-outbound";
import { FORGE_TOKEN } from "./test/fix/forge-token";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  /** the Worker with the local sandbox service as its Workspace, tests in test/<name>/, extra bindings on top */
  const researchProject = (name: string, bindings: Record<string, string>, extra: { outbound?: (req: Request) => Promise<Response>; globalSetup?: string[] } = {}) => ({
    plugins: [
      cloudflareTest({
        main: "./workers/index.ts",
        wrangler: { configPath: "./wrangler.toml", environment: "local" },
        miniflare: {
          bindings: { ADMIN_TOKEN: "test-admin-token", TEST_MIGRATIONS: migrations, WORKSPACE: "local", LOCAL_SANDBOX_URL: SANDBOX_ORIGIN, ...bindings },
          outboundService: extra.outbound ?? sandboxOutbound,
        },
      }),
    ],
    test: {
      name,
      include: [`test/${name}/**/*.test.ts`],
      globalSetup: ["./test/workspace/global-setup.ts", ...(extra.globalSetup ?? [])],
      setupFiles: ["./test/workers/setup.ts"],
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  });
  return {
    test: {
      reporters: ["default", "./test/summary-reporter.ts"],
      projects: [
        {
          // pure logic, in Node
          // eval-CLI tests spawn tsx: a loaded 2-core machine needs far more than vitest's 5 s default
          test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node", testTimeout: 120_000 },
        },
        {
          // real client SDKs (Sentry, PostHog, OpenTelemetry, …) in Node against a local Worker
          test: {
            name: "clients",
            include: ["test/clients/**/*.test.ts"],
            environment: "node",
            globalSetup: ["./test/clients/global-setup.ts"],
            testTimeout: 90_000,
            hookTimeout: 120_000,
          },
        },
        {
          // the Worker against a vector index that shows upserts an hour late (Vectorize: seconds)
          plugins: [
            cloudflareTest({
              main: "./workers/index.ts",
              wrangler: { configPath: "./wrangler.toml", environment: "local" },
              miniflare: {
                bindings: {
                  ADMIN_TOKEN: "test-admin-token",
                  TEST_MIGRATIONS: migrations,
                  LOCAL_VECTORIZE_DELAY_MS: "3600000",
                  VECTOR_VISIBILITY_WINDOW_MS: "7200000",
                },
                outboundService: fakeOutbound,
              },
            }),
          ],
          test: {
            name: "eventual",
            testTimeout: 90_000,
            hookTimeout: 90_000,
            include: ["test/eventual/**/*.test.ts"],
            setupFiles: ["./test/workers/setup.ts"],
          },
        },
        {
          // the Workspace seam's local face in workerd: the Sandbox SDK's SandboxClient against the
          // local sandbox service (started by the global setup; the only host the Worker may reach)
          plugins: [
            cloudflareTest({
              miniflare: {
                compatibilityDate: "2026-04-20",
                compatibilityFlags: ["nodejs_compat"],
                outboundService: loopbackOutbound,
              },
            }),
          ],
          test: {
            name: "workspace",
            include: ["test/workspace/**/*.test.ts"],
            globalSetup: ["./test/workspace/global-setup.ts"],
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
        // research that reads a repository: the Worker's research runs check the sample app out
        // through the local sandbox service (started by the workspace global setup)
        researchProject("research", {}),
        // the research agent's face (RESEARCHER=anthropic) through the research run, against a
        // scripted model (test/research/scripted-research-model.ts); the rest stays offline
        researchProject("research-agent", {
          RESEARCHER: "anthropic",
          ANTHROPIC_API_KEY: "sk-test",
          ANTHROPIC_BASE_URL: "http://anthropic.research.fake",
          GROUPING_QUERY_WRITER: "offline",
          GROUPING_MATCH_JUDGE: "offline",
          REPORT_JUDGE: "offline",
          RESEARCH_MAX_ATTEMPTS: "1",
        }),
        // the fix loop: a ready report's fix run checks the sample app out of the local forge, a
        // scripted coding agent (test/fix/scripted-fix-model.ts) fixes it, the branch is pushed and a
        // draft pull request opened on the forge (test/fix/global-setup.ts); research stays offline
        researchProject(
          "fix",
          {
            FIXER: "anthropic",
            ANTHROPIC_API_KEY: "sk-test",
            ANTHROPIC_BASE_URL: "http://anthropic.fix.fake",
            GROUPING_QUERY_WRITER: "offline",
            GROUPING_MATCH_JUDGE: "offline",
            REPORT_JUDGE: "offline",
            LOCAL_FORGE_URL: FORGE_ORIGIN,
            LOCAL_FORGE_TOKEN: FORGE_TOKEN,
            FIX_RETRY_BASE_MS: "200",
          },
          { outbound: fixOutbound, globalSetup: ["./test/fix/global-setup.ts"] },
        ),
        {
          // the real entry points (HTTP, queue, cron, Durable Objects) in workerd
          plugins: [
            cloudflareTest({
              main: "./workers/index.ts",
              wrangler: { configPath: "./wrangler.toml", environment: "local" },
              miniflare: {
                bindings: {
                  ADMIN_TOKEN: "test-admin-token",
                  TEST_MIGRATIONS: migrations,
                  // research runs: a signal holding "nightshift-research-fault:<n>" fails n attempts; short backoff
                  RESEARCH_FAULT_MARKER: "nightshift-research-fault",
                  RESEARCH_RETRY_BASE_MS: "50",
                  // the GitHub App's one webhook (test/workers/github-app-webhooks.test.ts)
                  GITHUB_APP_WEBHOOK_SECRET: "test-app-webhook-secret",
                },
                // a small per-project ingest rate, so the 429 path is reachable in a test
                ratelimits: { INGEST_RATE: { simple: { limit: 60, period: 10 } } },
                // no test may reach the internet; anthropic.fake is a local fake of the Messages API
                outboundService: fakeOutbound,
              },
            }),
          ],
          test: {
            name: "workers",
            // queue deliveries are polled for; a loaded 2-core CI machine may take many seconds
            testTimeout: 90_000,
            hookTimeout: 90_000,
            include: ["test/workers/**/*.test.ts"],
            setupFiles: ["./test/workers/setup.ts"],
          },
        },
      ],
    },
  };
});
