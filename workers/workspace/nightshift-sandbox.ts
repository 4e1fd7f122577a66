/**
 * The Sandbox Durable Object class production binds (wrangler.toml's
 * commented [[containers]] block): @cloudflare/sandbox's Sandbox with
 * nightshift's egress (egress.ts) — no internet but GitHub and package
 * registries, HTTP and HTTPS both through the Worker's handlers
 * (`interceptHttps`; the SDK has the container trust the interception CA),
 * GitHub credentials added by the Worker for the run's repository only
 * (egress-scope.ts: the scope each instance gets from its Workspace; without
 * one GitHub is refused), everything else refused. The Worker must export
 * the SDK's ContainerProxy (workers/index.ts): the interception runs there.
 * The local environment never binds it (its Durable Object throws without
 * containers); there the local sandbox service has no network at all.
 */
import { Sandbox } from "@cloudflare/sandbox";
import type { Env } from "../env";
import { outboundByHost, outboundHandlers, refuseEgress } from "./egress";

export class NightshiftSandbox extends Sandbox<Env> {
  enableInternet = false;
  interceptHttps = true;
}

// Assigned, not declared as `static` fields: a static field (ES2022 [[Define]]) becomes the
// class's own property and never reaches the containers library's static setters, which
// register the handlers by class name where ContainerProxy looks them up.
NightshiftSandbox.outboundByHost = outboundByHost();
NightshiftSandbox.outboundHandlers = outboundHandlers();
NightshiftSandbox.outbound = refuseEgress;
