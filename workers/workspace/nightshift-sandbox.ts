/**
 * The Sandbox Durable Object class production binds (wrangler.toml's
 * commented [[containers]] block): @cloudflare/sandbox's Sandbox with
 * nightshift's egress (egress.ts) — no internet but the repository host and
 * package registries, credentials added by the Worker per host, everything
 * else refused. The local environment never binds it (its Durable Object
 * throws without containers); there the local sandbox service has no network
 * at all.
 */
import { Sandbox } from "@cloudflare/sandbox";
import type { Env } from "../env";
import { outboundByHost, refuseEgress } from "./egress";

export class NightshiftSandbox extends Sandbox<Env> {
  enableInternet = false;
  static outboundByHost = outboundByHost();
  static outbound = refuseEgress;
}
