/**
 * Generates `evals/data/grouping-system-logs.jsonl`: raw system log lines from
 * 13 kinds of system, each line labelled with the template that produced it
 * (`group` = "<system>:<template-id>"), for scoring the log-template grouping
 * stage.
 *
 *   npx tsx evals/data/make-system-logs.ts
 *
 * Everything here was written for this project from general knowledge of how
 * these programs log; no public log data set is used. The output is fully
 * determined by SEED (seeded mulberry32 from `evals/prng.ts`; no clock, no
 * Math.random).
 *
 * How the stream is built
 * - Every system has a header function (its own timestamp style, host, pid,
 *   level, logger) and a table of templates. A template is a line function
 *   plus either a frequency tier (it starts episodes on its own) or a
 *   `follow` rule (it is logged after another template of the same system,
 *   with some probability and delay: a PostgreSQL connection is received,
 *   authorized, later disconnected; a Redis save forks, the child saves, the
 *   parent reports success; an HDFS block is allocated, received by a
 *   pipeline of DataNodes, the file completed). Lines of one episode share
 *   variables (pid, user, block id) through `c.once`.
 * - Head templates get line counts from a Zipf curve over their rank within
 *   their system (tier 1 ranks first, ties broken at random), scaled by the
 *   system's volume: the busiest templates have hundreds of lines, tier-4
 *   templates (startup, reload, failover) get 1-3. `burst`
 *   templates arrive in clusters (brute-force logins, upstream outages, crash
 *   loops) whose lines share a source through `c.sticky`.
 * - All events are placed on one six-hour timeline and sorted, so the systems
 *   interleave as they would in a central log store.
 *
 * Ground truth: two lines share a group iff the same template function
 * produced them. What is a variable slot (and so does NOT split a group):
 * - timestamps, pids, thread ids, connection/request/block/transaction ids,
 *   UUIDs, hex ids, addresses, ports, host names, paths, URLs with their query
 *   strings, sizes, durations, counts, numbers inside tokens (`attempt#3`,
 *   `shard-12`, `api-3`);
 * - user names (letters only), database/table/topic/unit/pod/container names
 *   and other quoted values (`constraint "orders_pkey"`, `method 'PUT'`) —
 *   but not the quoted message of a klog structured line (`"SyncLoop ADD"`),
 *   which is the template;
 * - values in key=value / `key: value` lists and in JSON objects, even when
 *   they are words: kubelet `probeType="Liveness"`, PLEG `"Type":"ContainerDied"`,
 *   HDFS clienttrace `op: HDFS_READ`, PacketResponder `type=LAST_IN_PIPELINE`,
 *   Spring `code=card_declined`, pino `"method":"GET"` (the one exception:
 *   Node `upstream request failed` always carries `"code":"ECONNRESET"`);
 * - whole access-log records: an HAProxy HTTP log line is one template
 *   whatever its method, URL, status code, timers or termination flags, and
 *   OkHttp's `<-- 200 ...` is one template whatever the status (the program
 *   prints them with one format string);
 * - the exception message of the Node `job failed` template (`"err":"..."`),
 *   Android process state codes (`has died: cch CEM`), the PostgreSQL
 *   checkpoint reason (`checkpoint starting: time` / `wal`), proxy names in
 *   HAProxy `Proxy fe_https started.`, and the description that systemd
 *   prints after a unit name.
 * What is template text (and so DOES split groups):
 * - words in prose, even when they look like a state: sshd `Accepted` vs
 *   `Failed`, systemd `Started`/`Stopped`/`Starting`/`Stopping`/`Finished`,
 *   Cassandra `is now UP` vs `is now DOWN`, HDFS `WRITE_BLOCK` vs
 *   `READ_BLOCK` operation, kubelet `SyncLoop ADD`/`UPDATE`/`DELETE`/`REMOVE`,
 *   Android `for next-top-activity` vs `for service`, OkHttp `--> GET` vs
 *   `--> POST` (they are printed differently);
 * - the level: pino `request completed` at INFO, WARN and ERROR (pino-http's
 *   customLogLevel by status class) and Cassandra's GCInspector at INFO and
 *   WARN are different templates;
 * - SQL text in PostgreSQL duration lines (only literals vary), error
 *   reasons nested in a message (kubelet CrashLoopBackOff vs ImagePullBackOff,
 *   nginx `connect() failed (111...)` vs `recv() failed (104...)`).
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { prng } from "../prng";

const SEED = 20250311;
const OUT = join(dirname(fileURLToPath(import.meta.url)), "grouping-system-logs.jsonl");
/** timeline start (UTC) and length */
const T0 = Date.UTC(2025, 2, 11, 8, 0, 0);
const WINDOW_MS = 6 * 3600_000;
/** Zipf curve for a system's head templates of tiers 1-3: count(rank) = round(volume * rank^-ZIPF_S) */
const ZIPF_S = 1.0;

// ─── randomness helpers ──────────────────────────────────────────────────────

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const chance = (r: Rng, p: number) => r() < p;
const hex = (r: Rng, n: number) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(r() * 16)]).join("");
const alnum = (r: Rng, n: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789") =>
  Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join("");
const uuid = (r: Rng) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${pick(r, ["8", "9", "a", "b"])}${hex(r, 3)}-${hex(r, 12)}`;
const b64 = (r: Rng, n: number) => alnum(r, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
const dec = (r: Rng, lo: number, hi: number, digits: number) => (lo + r() * (hi - lo)).toFixed(digits);
const exp = (r: Rng, mean: number) => -Math.log(1 - r()) * mean;
function shuffle<T>(r: Rng, xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// ─── value generators (addresses, names, sizes, durations) ───────────────────

const PUBLIC_NETS = ["203.0.113", "198.51.100", "192.0.2"]; // documentation ranges only
const ip4pub = (r: Rng) => `${pick(r, PUBLIC_NETS)}.${int(r, 1, 254)}`;
const ip4int = (r: Rng, third?: number) => `10.0.${third ?? int(r, 1, 9)}.${int(r, 2, 250)}`;
const ip6 = (r: Rng) => `2001:db8:${int(r, 1, 0xffff).toString(16)}:${int(r, 0, 255).toString(16)}::${int(r, 1, 0xffff).toString(16)}`;
const clientIp = (r: Rng) => (chance(r, 0.15) ? ip6(r) : ip4pub(r));
const ephemeralPort = (r: Rng) => int(r, 32768, 60999);
const ec2Host = (ip: string) => `ip-${ip.replace(/\./g, "-")}.ec2.internal`;

/** letters only, as the brief for this file asks */
const USERS = ["alice", "bob", "carol", "dmitri", "erin", "priya", "tomas", "yuki", "deploy", "ubuntu", "jenkins", "ansible", "backup"];
const BAD_USERS = ["admin", "test", "oracle", "guest", "support", "ftpuser", "ubnt", "pi", "user", "nagios", "hadoop", "minecraft", "steam", "mysql", "tomcat", "www", "git", "postgres", "server", "demo", "sysadmin"];
const uidOf = (u: string) => (u === "root" ? 0 : 1000 + Math.max(0, USERS.indexOf(u)));

const WORDS = ["linen", "shirt", "boots", "wool", "lamp", "desk", "oak", "kettle", "mug", "rain", "jacket", "socks", "blue", "green", "vintage"];
const CATEGORIES = ["outdoor", "kitchen", "office", "garden", "kids", "sale"];

/** API paths with query strings, shared by the HTTP-speaking systems */
function apiPath(r: Rng): string {
  switch (int(r, 0, 7)) {
    case 0: return `/api/v1/orders?page=${int(r, 1, 40)}&limit=${pick(r, [20, 50, 100])}`;
    case 1: return `/api/v1/orders/ord_${hex(r, 12)}`;
    case 2: return `/api/v1/products?category=${pick(r, CATEGORIES)}&sort=${pick(r, ["price", "-price", "newest"])}`;
    case 3: return `/api/v1/cart/${uuid(r)}/items`;
    case 4: return `/api/v1/search?q=${pick(r, WORDS)}+${pick(r, WORDS)}&lang=${pick(r, ["en", "de", "fr"])}`;
    case 5: return `/api/v2/checkout/session?id=cs_${alnum(r, 16)}`;
    case 6: return `/api/v1/products/${int(r, 1000, 99999)}/reviews?after=${hex(r, 8)}`;
    default: return `/api/v1/customers/cus_${alnum(r, 14)}/addresses`;
  }
}
const method = (r: Rng) => pick(r, ["GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH"]);

function kb(bytes: number): string {
  if (bytes >= 10 * 1024 * 1024) return `${Math.round(bytes / 1024 / 1024)}MB`;
  return `${Math.round(bytes / 1024)}KB`;
}
/** Go-style duration: 10s, 1m20s, 2m40s */
function goDur(s: number): string {
  const m = Math.floor(s / 60);
  return m ? `${m}m${s % 60}s` : `${s}s`;
}
/** "842ms" or "1.5s" */
const shortDur = (ms: number) => (ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`);

// ─── timestamp styles ────────────────────────────────────────────────────────

const MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const p2 = (n: number) => String(n).padStart(2, "0");
const p3 = (n: number) => String(n).padStart(3, "0");
function at(t: number) {
  const d = new Date(T0 + Math.floor(t));
  const Y = d.getUTCFullYear(), M = d.getUTCMonth(), D = d.getUTCDate(), ms = d.getUTCMilliseconds();
  const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  const ymd = `${Y}-${p2(M + 1)}-${p2(D)}`;
  return { Y, M, D, ms, hms, ymd };
}
const ts = {
  syslog: (t: number) => { const a = at(t); return `${MON[a.M]} ${String(a.D).padStart(2, " ")} ${a.hms}`; },
  nginx: (t: number) => { const a = at(t); return `${a.Y}/${p2(a.M + 1)}/${p2(a.D)} ${a.hms}`; },
  pg: (t: number) => { const a = at(t); return `${a.ymd} ${a.hms}.${p3(a.ms)} UTC`; },
  glog: (t: number, us: number) => { const a = at(t); return `${p2(a.M + 1)}${p2(a.D)} ${a.hms}.${p3(a.ms)}${p3(us)}`; },
  iso: (t: number) => { const a = at(t); return `${a.ymd}T${a.hms}.${p3(a.ms)}Z`; },
  isoSec: (t: number) => { const a = at(t); return `${a.ymd}T${a.hms}Z`; },
  pino: (t: number) => { const a = at(t); return `${a.ymd} ${a.hms}.${p3(a.ms)} +0000`; },
  redis: (t: number) => { const a = at(t); return `${a.D} ${MON[a.M]} ${a.Y} ${a.hms}.${p3(a.ms)}`; },
  clf: (t: number) => { const a = at(t); return `${p2(a.D)}/${MON[a.M]}/${a.Y}:${a.hms}.${p3(a.ms)}`; },
  log4j: (t: number) => { const a = at(t); return `${a.ymd} ${a.hms},${p3(a.ms)}`; },
  logcat: (t: number) => { const a = at(t); return `${p2(a.M + 1)}-${p2(a.D)} ${a.hms}.${p3(a.ms)}`; },
  epochMs: (t: number) => T0 + Math.floor(t),
};

// ─── template tables ─────────────────────────────────────────────────────────

interface Ctx {
  r: Rng;
  /** ms since T0 */
  t: number;
  /** extra microseconds for formats that print them */
  us: number;
  host: string;
  /** value shared by every line of this episode (one connection, one block write …) */
  once<T>(key: string, gen: () => T): T;
  /** value shared by every line of this burst (one attacker, one outage …); falls back to once */
  sticky<T>(key: string, gen: () => T): T;
}
type Tier = 1 | 2 | 3 | 4;
interface Tpl {
  id: string;
  /** head templates: frequency tier (1 = hottest; 4 = 1-3 lines) */
  tier?: Tier;
  /** arrive in clusters: [mean cluster size, mean gap between lines in ms] */
  burst?: [number, number];
  /** snap head times to this period (cron fires on the minute) */
  align?: number;
  /**
   * logged after another template of the same system: parent id → probability; delay range in ms
   * (may be negative). Followers of one parent that share a `oneOf` tag exclude each other: the
   * first (in table order) that passes its roll is logged, the rest are skipped.
   */
  follow?: { after: Record<string, number>; delay: [number, number]; oneOf?: string };
  /** the raw line, or null when the template does not apply to this episode */
  line: (c: Ctx) => string | null;
}
interface Sys {
  name: string;
  /** lines of the system's top-ranked head template (before followers) */
  volume: number;
  hosts: string[];
  templates: Tpl[];
}

/** shared pools, drawn once from their own stream */
const rPool = prng(SEED + 2);

// ── 1. OpenSSH sshd via syslog ──────────────────────────────────────────────

const sshdHosts = ["bastion-1", "bastion-2", ec2Host("10.0.1.23").split(".")[0]];
const sshd = (c: Ctx, msg: string) => `${ts.syslog(c.t)} ${c.host} sshd[${c.once("pid", () => int(c.r, 1200, 64000))}]: ${msg}`;
const sIp = (c: Ctx) => c.sticky("ip", () => clientIp(c.r));
const sPort = (c: Ctx) => c.once("port", () => ephemeralPort(c.r));
const goodUser = (c: Ctx) => c.once("user", () => pick(c.r, USERS));
const badUser = (c: Ctx) => c.once("user", () => pick(c.r, BAD_USERS));
const rootish = (c: Ctx) => c.once("user", () => (chance(c.r, 0.75) ? "root" : pick(c.r, USERS)));

const SSHD: Sys = {
  name: "sshd",
  volume: 90,
  hosts: sshdHosts,
  templates: [
    { id: "accepted-publickey", tier: 2, line: (c) => sshd(c, `Accepted publickey for ${goodUser(c)} from ${sIp(c)} port ${sPort(c)} ssh2: ${pick(c.r, ["ED25519", "RSA", "ECDSA"])} SHA256:${b64(c.r, 43)}`) },
    { id: "accepted-password", tier: 3, line: (c) => sshd(c, `Accepted password for ${goodUser(c)} from ${sIp(c)} port ${sPort(c)} ssh2`) },
    { id: "session-opened", follow: { after: { "accepted-publickey": 1, "accepted-password": 1 }, delay: [3, 30] }, line: (c) => { const u = goodUser(c); return sshd(c, `pam_unix(sshd:session): session opened for user ${u}(uid=${uidOf(u)}) by (uid=0)`); } },
    { id: "received-disconnect-user", follow: { after: { "session-opened": 0.85 }, delay: [5_000, 2_400_000] }, line: (c) => sshd(c, `Received disconnect from ${sIp(c)} port ${sPort(c)}:11: disconnected by user`) },
    { id: "disconnected-user", follow: { after: { "received-disconnect-user": 1 }, delay: [0, 3] }, line: (c) => sshd(c, `Disconnected from user ${goodUser(c)} ${sIp(c)} port ${sPort(c)}`) },
    { id: "session-closed", follow: { after: { "disconnected-user": 1 }, delay: [1, 8] }, line: (c) => sshd(c, `pam_unix(sshd:session): session closed for user ${goodUser(c)}`) },
    { id: "invalid-user", tier: 2, burst: [14, 2500], line: (c) => sshd(c, `Invalid user ${badUser(c)} from ${sIp(c)} port ${sPort(c)}`) },
    { id: "failed-password-invalid", follow: { after: { "invalid-user": 0.8 }, delay: [1500, 4000] }, line: (c) => sshd(c, `Failed password for invalid user ${badUser(c)} from ${sIp(c)} port ${sPort(c)} ssh2`) },
    { id: "disconnected-invalid", follow: { after: { "failed-password-invalid": 0.7 }, delay: [200, 900] }, line: (c) => sshd(c, `Disconnected from invalid user ${badUser(c)} ${sIp(c)} port ${sPort(c)} [preauth]`) },
    { id: "conn-closed-invalid", follow: { after: { "invalid-user": 0.15 }, delay: [50, 400] }, line: (c) => sshd(c, `Connection closed by invalid user ${badUser(c)} ${sIp(c)} port ${sPort(c)} [preauth]`) },
    { id: "failed-password", tier: 1, burst: [10, 3000], line: (c) => sshd(c, `Failed password for ${rootish(c)} from ${sIp(c)} port ${sPort(c)} ssh2`) },
    { id: "pam-auth-failure", follow: { after: { "failed-password": 1 }, delay: [-2600, -1500] }, line: (c) => sshd(c, `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${sIp(c)}  user=${rootish(c)}`) },
    { id: "conn-closed-auth", follow: { after: { "failed-password": 0.3 }, delay: [100, 600] }, line: (c) => sshd(c, `Connection closed by authenticating user ${rootish(c)} ${sIp(c)} port ${sPort(c)} [preauth]`) },
    { id: "max-auth-exceeded", follow: { after: { "failed-password": 0.04 }, delay: [50, 300] }, line: (c) => sshd(c, `error: maximum authentication attempts exceeded for ${rootish(c)} from ${sIp(c)} port ${sPort(c)} ssh2 [preauth]`) },
    { id: "received-disconnect-preauth", tier: 2, burst: [5, 8000], line: (c) => sshd(c, `Received disconnect from ${sIp(c)} port ${sPort(c)}:11: Bye Bye [preauth]`) },
    { id: "kex-closed", tier: 2, line: (c) => sshd(c, `error: kex_exchange_identification: Connection closed by remote host`) },
    { id: "kex-reset", tier: 3, line: (c) => sshd(c, `error: kex_exchange_identification: read: Connection reset by peer`) },
    { id: "no-identification", tier: 3, line: (c) => sshd(c, `Did not receive identification string from ${sIp(c)} port ${sPort(c)}`) },
    { id: "banner-invalid-format", tier: 4, line: (c) => sshd(c, `banner exchange: Connection from ${sIp(c)} port ${sPort(c)}: invalid format`) },
    { id: "server-listening", tier: 4, line: (c) => sshd(c, `Server listening on ${pick(c.r, ["0.0.0.0", "::"])} port 22.`) },
  ],
};

// ── 2. nginx error log ──────────────────────────────────────────────────────

const ngxState = { conn: 184_203 };
const ngxServers = ["api.shopfront.example", "www.shopfront.example", "static.shopfront.example"];
const NGX_MASTER: Record<string, number> = { "edge-1": 1021, "edge-2": 1044 };
const ngxWorker = (c: Ctx) => c.once("wpid", () => int(c.r, 1180, 1187));
/** worker lines carry "*<connection>"; master lines (signals, worker management) do not */
function ngx(c: Ctx, level: string, msg: string, from: "worker" | "master" = "worker", withConn = from === "worker"): string {
  const pid = from === "master" ? NGX_MASTER[c.host] : ngxWorker(c);
  const conn = withConn ? `*${(ngxState.conn += int(c.r, 1, 60))} ` : "";
  return `${ts.nginx(c.t)} [${level}] ${pid}#${pid}: ${conn}${msg}`;
}
function ngxReq(c: Ctx, o: { m?: string; uri?: string; upstream?: boolean; server?: string } = {}): string {
  const uri = o.uri ?? apiPath(c.r);
  const m = o.m ?? method(c.r);
  const server = o.server ?? "api.shopfront.example";
  const up = o.upstream ? `, upstream: "http://${c.sticky("up", () => `${ip4int(c.r, 4)}:8080`)}${uri}"` : "";
  return `client: ${clientIp(c.r)}, server: ${server}, request: "${m} ${uri} HTTP/1.1"${up}, host: "${server}"`;
}
const STATIC_MISSES = ["/favicon.ico", "/wp-login.php", "/.env", "/apple-touch-icon-precomposed.png", "/.git/config", "/assets/img/hero-2x.webp", "/sitemap.xml", "/robots.txt"];

const NGINX: Sys = {
  name: "nginx",
  volume: 55,
  hosts: ["edge-1", "edge-2"],
  templates: [
    { id: "connect-refused", tier: 2, burst: [12, 700], line: (c) => ngx(c, "error", `connect() failed (111: Connection refused) while connecting to upstream, ${ngxReq(c, { upstream: true })}`) },
    { id: "upstream-timed-out", tier: 2, burst: [8, 1500], line: (c) => ngx(c, "error", `upstream timed out (110: Connection timed out) while reading response header from upstream, ${ngxReq(c, { upstream: true })}`) },
    { id: "recv-reset", tier: 3, line: (c) => ngx(c, "error", `recv() failed (104: Connection reset by peer) while reading response header from upstream, ${ngxReq(c, { upstream: true })}`) },
    { id: "upstream-prematurely-closed", tier: 3, line: (c) => ngx(c, "error", `upstream prematurely closed connection while reading response header from upstream, ${ngxReq(c, { upstream: true })}`) },
    { id: "no-live-upstreams", tier: 3, burst: [6, 400], line: (c) => { const uri = apiPath(c.r); return ngx(c, "error", `no live upstreams while connecting to upstream, client: ${clientIp(c.r)}, server: api.shopfront.example, request: "${method(c.r)} ${uri} HTTP/1.1", upstream: "http://shop_api${uri}", host: "api.shopfront.example"`); } },
    { id: "open-failed", tier: 1, line: (c) => { const p = pick(c.r, STATIC_MISSES); const s = pick(c.r, ngxServers.slice(1)); return ngx(c, "error", `open() "/var/www/${s.split(".")[0]}${p}" failed (2: No such file or directory), ${ngxReq(c, { m: "GET", uri: p, server: s })}`); } },
    { id: "body-too-large", tier: 3, line: (c) => ngx(c, "error", `client intended to send too large body: ${int(c.r, 10_485_761, 80_000_000)} bytes, ${ngxReq(c, { m: "POST", uri: `/api/v1/uploads?kind=${pick(c.r, ["avatar", "invoice", "catalog"])}` })}`) },
    { id: "upstream-buffered", tier: 2, line: (c) => ngx(c, "warn", `an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/${int(c.r, 0, 9)}/${p2(int(c.r, 0, 99))}/${String(int(c.r, 1, 99_999_999)).padStart(10, "0")} while reading upstream, ${ngxReq(c, { m: "GET", upstream: true })}`) },
    { id: "client-body-buffered", tier: 3, line: (c) => ngx(c, "warn", `a client request body is buffered to a temporary file /var/cache/nginx/client_temp/${String(int(c.r, 1, 99_999_999)).padStart(10, "0")}, ${ngxReq(c, { m: pick(c.r, ["POST", "PUT"]) })}`) },
    { id: "limiting-requests", tier: 2, burst: [20, 300], line: (c) => ngx(c, "error", `limiting requests, excess: ${dec(c.r, 10, 60, 3)} by zone "${c.sticky("zone", () => pick(c.r, ["api_per_ip", "login_per_ip"]))}", ${ngxReq(c)}`) },
    { id: "delaying-request", tier: 3, line: (c) => ngx(c, "warn", `delaying request, excess: ${dec(c.r, 0, 9.9, 3)}, by zone "${pick(c.r, ["api_per_ip", "login_per_ip"])}", ${ngxReq(c)}`) },
    { id: "ssl-handshake-bad-key-share", tier: 3, line: (c) => ngx(c, "crit", `SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, client: ${clientIp(c.r)}, server: 0.0.0.0:443`) },
    { id: "keepalive-closed", tier: 1, line: (c) => ngx(c, "info", `client ${clientIp(c.r)} closed keepalive connection`) },
    { id: "sighup-reconfiguring", tier: 4, line: (c) => ngx(c, "notice", `signal 1 (SIGHUP) received from ${int(c.r, 20000, 40000)}, reconfiguring`, "master") },
    { id: "start-worker", follow: { after: { "sighup-reconfiguring": 1, "start-worker": 0.8 }, delay: [1, 20] }, line: (c) => ngx(c, "notice", `start worker process ${int(c.r, 40001, 48000)}`, "master") },
    { id: "gracefully-shutting-down", follow: { after: { "sighup-reconfiguring": 1 }, delay: [50, 300] }, line: (c) => ngx(c, "notice", `gracefully shutting down`, "worker", false) },
    { id: "worker-exited", follow: { after: { "gracefully-shutting-down": 1 }, delay: [200, 5000] }, line: (c) => ngx(c, "notice", `worker process ${ngxWorker(c)} exited with code 0`, "master") },
  ],
};

// ── 3. PostgreSQL server log, log_line_prefix = '%m [%p] %q%u@%d ' ─────────

const PG_DBS = ["orders", "catalog", "billing"];
const PG_APPS = ["orders-service", "pgbouncer", "psql", "metabase", "catalog-sync"];
const PG_TABLES = ["orders", "order_items", "payments", "inventory", "customers", "sessions", "audit_log"];
const PG_CONSTRAINTS = ["orders_pkey", "customers_email_key", "payments_idempotency_key_key", "carts_session_id_key", "order_items_order_id_sku_key"];
function pg(c: Ctx, who: "session" | "unknown" | "none", sev: string, msg: string): string {
  const pid = c.once("pid", () => int(c.r, 3000, 99_999));
  const w = who === "none" ? "" : who === "unknown" ? "[unknown]@[unknown] " : `${pgUser(c)}@${pgDb(c)} `;
  return `${ts.pg(c.t)} [${pid}] ${w}${sev}:  ${msg}`;
}
const pgUser = (c: Ctx) => c.sticky("pguser", () => pick(c.r, ["app", "app", "app", "readonly", "etl", "alice", "dmitri", "metabase"]));
const pgDb = (c: Ctx) => c.sticky("pgdb", () => pick(c.r, PG_DBS));
const pgHost = (c: Ctx) => c.sticky("pghost", () => (chance(c.r, 0.1) ? `fd00:10:0:2::${int(c.r, 10, 99)}` : ip4int(c.r, 2)));
function pgSessionTime(ms: number): string {
  const h = Math.floor(ms / 3_600_000), m = Math.floor(ms / 60_000) % 60, s = Math.floor(ms / 1000) % 60;
  return `${h}:${p2(m)}:${p2(s)}.${p3(Math.floor(ms) % 1000)}`;
}

const POSTGRES: Sys = {
  name: "postgres",
  volume: 55,
  hosts: ["pg-main-0"],
  templates: [
    { id: "connection-received", tier: 2, line: (c) => pg(c, "unknown", "LOG", `connection received: host=${pgHost(c)} port=${c.once("port", () => ephemeralPort(c.r))}`) },
    { id: "connection-authorized", follow: { after: { "connection-received": 0.97 }, delay: [2, 25] }, line: (c) => pg(c, "session", "LOG", `connection authorized: user=${pgUser(c)} database=${pgDb(c)} application_name=${pick(c.r, PG_APPS)}`) },
    { id: "disconnection", follow: { after: { "connection-authorized": 0.92 }, delay: [40, 1_800_000] }, line: (c) => pg(c, "session", "LOG", `disconnection: session time: ${pgSessionTime(c.t - c.once("t0", () => c.t))} user=${pgUser(c)} database=${pgDb(c)} host=${pgHost(c)} port=${c.once("port", () => ephemeralPort(c.r))}`) },
    { id: "password-auth-failed", tier: 3, burst: [6, 1500], line: (c) => pg(c, "session", "FATAL", `password authentication failed for user "${pgUser(c)}"`) },
    { id: "no-pg-hba-entry", tier: 4, line: (c) => pg(c, "session", "FATAL", `no pg_hba.conf entry for host "${ip4int(c.r, 7)}", user "${pgUser(c)}", database "${pgDb(c)}", no encryption`) },
    { id: "too-many-clients", tier: 4, burst: [3, 200], line: (c) => pg(c, "session", "FATAL", `sorry, too many clients already`) },
    { id: "checkpoint-starting", tier: 3, line: (c) => pg(c, "none", "LOG", `checkpoint starting: ${pick(c.r, ["time", "time", "time", "wal"])}`) },
    {
      id: "checkpoint-complete", follow: { after: { "checkpoint-starting": 1 }, delay: [30_000, 150_000] },
      line: (c) => {
        const w = int(c.r, 40, 9000), tot = dec(c.r, 26, 150, 3);
        return pg(c, "none", "LOG", `checkpoint complete: wrote ${w} buffers (${(w / 163.84).toFixed(1)}%); 0 WAL file(s) added, 0 removed, ${int(c.r, 0, 6)} recycled; write=${(Number(tot) - 0.02).toFixed(3)} s, sync=${dec(c.r, 0.001, 0.09, 3)} s, total=${tot} s; sync files=${int(c.r, 5, 120)}, longest=${dec(c.r, 0.001, 0.05, 3)} s, average=0.00${int(c.r, 1, 9)} s; distance=${int(c.r, 1000, 90000)} kB, estimate=${int(c.r, 40000, 95000)} kB`);
      },
    },
    { id: "slow-select-orders", tier: 2, line: (c) => pg(c, "session", "LOG", `duration: ${dec(c.r, 500, 9000, 3)} ms  statement: SELECT o.id, o.status, o.total_cents FROM orders o WHERE o.customer_id = ${int(c.r, 10_000, 999_999)} AND o.created_at > '2025-0${int(c.r, 1, 3)}-${p2(int(c.r, 1, 28))}' ORDER BY o.created_at DESC LIMIT 50`) },
    { id: "slow-execute-reserve", tier: 3, line: (c) => pg(c, "session", "LOG", `duration: ${dec(c.r, 500, 4000, 3)} ms  execute <unnamed>: UPDATE inventory SET reserved = reserved + $1 WHERE sku = $2 AND warehouse_id = $3`) },
    { id: "deadlock-detected", tier: 4, line: (c) => pg(c, "session", "ERROR", `deadlock detected`) },
    { id: "duplicate-key", tier: 2, line: (c) => pg(c, "session", "ERROR", `duplicate key value violates unique constraint "${pick(c.r, PG_CONSTRAINTS)}"`) },
    { id: "cancel-statement-timeout", tier: 3, line: (c) => pg(c, "session", "ERROR", `canceling statement due to statement timeout`) },
    { id: "cancel-user-request", tier: 4, line: (c) => pg(c, "session", "ERROR", `canceling statement due to user request`) },
    { id: "idle-in-transaction-timeout", tier: 4, line: (c) => pg(c, "session", "FATAL", `terminating connection due to idle-in-transaction timeout`) },
    { id: "automatic-vacuum", tier: 3, line: (c) => pg(c, "none", "LOG", `automatic vacuum of table "${pgDb(c)}.public.${pick(c.r, PG_TABLES)}": index scans: ${int(c.r, 0, 2)}`) },
    { id: "automatic-analyze", tier: 3, line: (c) => pg(c, "none", "LOG", `automatic analyze of table "${pgDb(c)}.public.${pick(c.r, PG_TABLES)}"`) },
    { id: "temporary-file", tier: 3, line: (c) => pg(c, "session", "LOG", `temporary file: path "base/pgsql_tmp/pgsql_tmp${c.once("pid", () => int(c.r, 3000, 99_999))}.${int(c.r, 0, 40)}", size ${int(c.r, 8192, 900_000_000)}`) },
    { id: "relation-does-not-exist", tier: 4, line: (c) => pg(c, "session", "ERROR", `relation "${pick(c.r, ["order_item", "customer", "public.payment_attempts", "tmp_import"])}" does not exist at character ${int(c.r, 15, 120)}`) },
  ],
};

// ── 4. Kubernetes kubelet (klog/glog header) ─────────────────────────────────

interface Pod { ns: string; name: string; uid: string; ip: string; container: string; port: number; node: string }
const K8S_NODES = ["10.0.3.17", "10.0.3.42", "10.0.4.9", "10.0.4.131"].map(ec2Host);
const KUBELET_PID: Record<string, number> = Object.fromEntries(K8S_NODES.map((n) => [n, int(rPool, 700, 3500)]));
/** kubelet start, as an offset from T0 (negative: it started days before the window), for Go's m=+ monotonic reading */
const KUBELET_START: Record<string, number> = Object.fromEntries(K8S_NODES.map((n) => [n, -int(rPool, 3_600_000, 20 * 86_400_000)]));
const PODS: Pod[] = (() => {
  const deps: [string, string, number][] = [["shop", "checkout-api", 3000], ["shop", "orders-service", 8080], ["shop", "web-frontend", 3000], ["search", "search-indexer", 9200], ["payments", "payments-worker", 8081], ["shop", "inventory", 8080], ["observability", "fluent-bit", 2020]];
  const safe = "bcdfghjklmnpqrstvwxz2456789";
  const pods: Pod[] = [];
  for (const [ns, dep, port] of deps) {
    const rs = alnum(rPool, 10, safe);
    for (let i = 0; i < int(rPool, 2, 5); i++) {
      pods.push({ ns, name: `${dep}-${rs}-${alnum(rPool, 5, safe)}`, uid: uuid(rPool), ip: `10.244.${int(rPool, 0, 7)}.${int(rPool, 2, 250)}`, container: dep, port, node: pick(rPool, K8S_NODES) });
    }
  }
  return pods;
})();
const podOf = (c: Ctx) => c.sticky("pod", () => pick(c.r, PODS));
const q = (s: string) => JSON.stringify(s); // Go %q for ASCII
function klog(c: Ctx, sev: "I" | "W" | "E", file: string, msg: string): string {
  const node = c.sticky("node", () => podOf(c).node);
  return `${sev}${ts.glog(c.t, c.us)} ${String(KUBELET_PID[node]).padStart(7)} ${file}] ${msg}`;
}
const podRef = (p: Pod) => `${p.ns}/${p.name}`;

const KUBELET: Sys = {
  name: "kubelet",
  volume: 65,
  hosts: K8S_NODES,
  templates: [
    { id: "syncloop-add", tier: 2, line: (c) => klog(c, "I", "kubelet.go:2421", `"SyncLoop ADD" source="api" pods=[${q(podRef(podOf(c)))}]`) },
    { id: "syncloop-update", tier: 1, line: (c) => klog(c, "I", "kubelet.go:2428", `"SyncLoop UPDATE" source="api" pods=[${q(podRef(podOf(c)))}]`) },
    { id: "syncloop-delete", tier: 3, line: (c) => klog(c, "I", "kubelet.go:2434", `"SyncLoop DELETE" source="api" pods=[${q(podRef(podOf(c)))}]`) },
    { id: "syncloop-remove", follow: { after: { "syncloop-delete": 0.95 }, delay: [100, 3000] }, line: (c) => klog(c, "I", "kubelet.go:2440", `"SyncLoop REMOVE" source="api" pods=[${q(podRef(podOf(c)))}]`) },
    { id: "pleg-event", tier: 1, line: (c) => { const p = podOf(c); return klog(c, "I", "kubelet.go:2453", `"SyncLoop (PLEG): event for pod" pod=${q(podRef(p))} event={"ID":${q(p.uid)},"Type":${q(pick(c.r, ["ContainerStarted", "ContainerStarted", "ContainerDied"]))},"Data":${q(hex(c.r, 64))}}`); } },
    { id: "probe-failed", tier: 2, burst: [8, 10_000], line: (c) => { const p = podOf(c); const port = p.port; return klog(c, "I", "prober.go:107", `"Probe failed" probeType=${q(c.sticky("probe", () => pick(c.r, ["Readiness", "Liveness"])))} pod=${q(podRef(p))} podUID=${q(p.uid)} containerName=${q(p.container)} probeResult="failure" output=${q(`Get "http://${p.ip}:${port}/healthz": dial tcp ${p.ip}:${port}: connect: connection refused`)}`); } },
    {
      id: "crashloop-backoff", tier: 2, burst: [6, 40_000],
      line: (c) => {
        const p = podOf(c);
        const step = c.sticky("backoff", () => ({ n: 0 }));
        const d = goDur(Math.min(300, 10 * 2 ** step.n++));
        return klog(c, "E", "pod_workers.go:1301", `"Error syncing pod, skipping" err=${q(`failed to "StartContainer" for "${p.container}" with CrashLoopBackOff: "back-off ${d} restarting failed container=${p.container} pod=${p.name}_${p.ns}(${p.uid})"`)} pod=${q(podRef(p))} podUID=${q(p.uid)}`);
      },
    },
    { id: "imagepull-backoff", tier: 3, burst: [4, 20_000], line: (c) => { const p = podOf(c); const img = c.sticky("img", () => `registry.shopfront.example/${p.container}:${pick(c.r, ["v2.14.1", "v2.15.0-rc1", "sha-" + hex(c.r, 7)])}`); return klog(c, "E", "pod_workers.go:1301", `"Error syncing pod, skipping" err=${q(`failed to "StartContainer" for "${p.container}" with ImagePullBackOff: ${q(`Back-off pulling image ${q(img)}`)}`)} pod=${q(podRef(p))} podUID=${q(p.uid)}`); } },
    { id: "mountvolume-succeeded", tier: 2, line: (c) => { const p = podOf(c); const v = `kube-api-access-${alnum(c.r, 5, "bcdfghjklmnpqrstvwxz2456789")}`; return klog(c, "I", "operation_generator.go:721", `"MountVolume.SetUp succeeded for volume \\"${v}\\" (UniqueName: \\"kubernetes.io/projected/${p.uid}-${v}\\") pod \\"${p.name}\\" (UID: \\"${p.uid}\\") " pod=${q(podRef(p))}`); } },
    {
      id: "mountvolume-secret-not-found", tier: 3, burst: [5, 30_000],
      line: (c) => {
        const p = podOf(c);
        const s = c.sticky("secret", () => `${p.container}-${pick(c.r, ["tls", "db-credentials", "stripe-keys"])}`);
        const step = c.sticky("retry", () => ({ n: int(c.r, 0, 3) }));
        const retry = Math.min(122_000, 500 * 2 ** step.n++);
        const mono = (c.t + retry - KUBELET_START[p.node]) / 1000;
        return klog(c, "E", "nestedpendingoperations.go:348", `Operation for "{volumeName:kubernetes.io/secret/${p.uid}-${s} podName:${p.uid} nodeName:}" failed. No retries permitted until ${ts.log4j(c.t + retry).replace(",", ".")}${String(int(c.r, 0, 999_999)).padStart(6, "0")} +0000 UTC m=+${mono.toFixed(6)}${String(int(c.r, 0, 999)).padStart(3, "0")} (durationBeforeRetry ${retry < 1000 ? `${retry}ms` : goDur(retry / 1000)}). Error: MountVolume.SetUp failed for volume "${s}" (UniqueName: "kubernetes.io/secret/${p.uid}-${s}") pod "${p.name}" (UID: "${p.uid}") : secret "${s}" not found`);
      },
    },
    { id: "killing-container", tier: 2, line: (c) => { const p = podOf(c); return klog(c, "I", "kuberuntime_container.go:779", `"Killing container with a grace period" pod=${q(podRef(p))} podUID=${q(p.uid)} containerName=${q(p.container)} containerID=${q(`containerd://${hex(c.r, 64)}`)} gracePeriod=${pick(c.r, [30, 30, 60, 10])}`); } },
    { id: "eviction-reclaim", tier: 4, line: (c) => klog(c, "W", "eviction_manager.go:369", `"Eviction manager: attempting to reclaim" resourceName=${q(pick(c.r, ["memory", "ephemeral-storage"]))}`) },
    { id: "reflector-secret-forbidden", tier: 4, line: (c) => { const p = podOf(c); const s = `${p.container}-tls`; return klog(c, "W", "reflector.go:561", `object-"${p.ns}"/"${s}": failed to list *v1.Secret: secrets "${s}" is forbidden: User "system:node:${p.node}" cannot list resource "secrets" in API group "" in the namespace "${p.ns}": no relationship found between node '${p.node}' and this object`); } },
    { id: "node-not-ready", tier: 4, line: (c) => { const n = c.sticky("node", () => pick(c.r, K8S_NODES)); const now = ts.isoSec(c.t); return klog(c, "I", "kubelet_node_status.go:669", `"Node became not ready" node=${q(n)} condition={"type":"Ready","status":"False","lastHeartbeatTime":${q(now)},"lastTransitionTime":${q(now)},"reason":"KubeletNotReady","message":"container runtime is down"}`); } },
  ],
};

// ── 5. Java / Spring Boot service (default logback console pattern) ─────────

function sb(c: Ctx, level: string, thread: string, logger: string, msg: string): string {
  return `${ts.iso(c.t)} ${level.padStart(5)} 1 --- [orders-service] [${thread.slice(-15).padStart(15)}] ${logger.padEnd(40)} : ${msg}`;
}
const execThread = (c: Ctx) => `http-nio-8080-exec-${int(c.r, 1, 40)}`;
const orderId = (c: Ctx) => c.sticky("order", () => `ord_${hex(c.r, 12)}`);
const SKUS = () => `SKU-${int(rPool, 10000, 99999)}-${pick(rPool, ["BLU", "RED", "GRN", "BLK"])}`;
const SKU_POOL = Array.from({ length: 30 }, SKUS);

const SPRING: Sys = {
  name: "spring",
  volume: 60,
  hosts: ["orders-service"],
  templates: [
    { id: "tomcat-started", tier: 4, line: (c) => sb(c, "INFO", "main", "o.s.b.w.embedded.tomcat.TomcatWebServer", `Tomcat started on port 8080 (http) with context path '/'`) },
    { id: "hikari-starting", follow: { after: { "tomcat-started": 1 }, delay: [-3000, -1500] }, line: (c) => sb(c, "INFO", "main", "com.zaxxer.hikari.HikariDataSource", `HikariPool-1 - Starting...`) },
    { id: "hikari-start-completed", follow: { after: { "hikari-starting": 1 }, delay: [100, 400] }, line: (c) => sb(c, "INFO", "main", "com.zaxxer.hikari.HikariDataSource", `HikariPool-1 - Start completed.`) },
    { id: "application-started", follow: { after: { "tomcat-started": 1 }, delay: [200, 900] }, line: (c) => { const s = Number(dec(c.r, 6, 14, 3)); return sb(c, "INFO", "main", "c.s.orders.OrdersServiceApplication", `Started OrdersServiceApplication in ${s} seconds (process running for ${(s + Number(dec(c.r, 0.4, 1.2, 3))).toFixed(3)})`); } },
    { id: "order-created", tier: 1, line: (c) => sb(c, "INFO", execThread(c), "c.s.orders.service.OrderService", `Created order ${orderId(c)} for customer cus_${alnum(c.r, 14)} total=${dec(c.r, 5, 900, 2)} ${pick(c.r, ["EUR", "EUR", "GBP", "USD"])} items=${int(c.r, 1, 12)}`) },
    { id: "payment-captured", tier: 1, line: (c) => sb(c, "INFO", execThread(c), "c.s.orders.payment.PaymentClient", `Payment captured for order ${orderId(c)} txn=txn_${hex(c.r, 16)} in ${int(c.r, 90, 1400)}ms`) },
    { id: "payment-declined", tier: 2, line: (c) => sb(c, "WARN", execThread(c), "c.s.orders.payment.PaymentClient", `Payment declined for order ${orderId(c)} txn=txn_${hex(c.r, 16)} code=${pick(c.r, ["card_declined", "insufficient_funds", "expired_card", "do_not_honor"])} attempt#${int(c.r, 1, 3)}`) },
    { id: "payment-timeout", tier: 3, line: (c) => sb(c, "ERROR", execThread(c), "c.s.orders.payment.PaymentClient", `Payment provider call failed for order ${orderId(c)} after ${int(c.r, 10000, 30500)}ms: java.net.SocketTimeoutException: Read timed out`) },
    { id: "sql-error-08003", tier: 3, burst: [10, 900], line: (c) => sb(c, "WARN", c.once("th", () => execThread(c)), "o.h.engine.jdbc.spi.SqlExceptionHelper", `SQL Error: 0, SQLState: 08003`) },
    { id: "hikari-connection-timeout", follow: { after: { "sql-error-08003": 1 }, delay: [0, 1] }, line: (c) => sb(c, "ERROR", c.once("th", () => execThread(c)), "o.h.engine.jdbc.spi.SqlExceptionHelper", `HikariPool-1 - Connection is not available, request timed out after ${int(c.r, 30000, 30090)}ms (total=10, active=10, idle=0, waiting=${int(c.r, 1, 48)})`) },
    { id: "hikari-clock-leap", tier: 4, line: (c) => sb(c, "WARN", "HikariPool-1 housekeeper", "com.zaxxer.hikari.pool.HikariPool", `HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=${int(c.r, 1, 3)}m${int(c.r, 0, 59)}s${int(c.r, 0, 999)}ms).`) },
    { id: "servlet-exception", tier: 3, line: (c) => sb(c, "ERROR", execThread(c), "o.a.c.c.C.[.[.[/].[dispatcherServlet]", `Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: java.lang.IllegalStateException: Order ${orderId(c)} cannot be cancelled after shipment] with root cause`) },
    { id: "method-not-supported", tier: 3, line: (c) => sb(c, "WARN", execThread(c), ".w.s.m.s.DefaultHandlerExceptionResolver", `Resolved [org.springframework.web.HttpRequestMethodNotSupportedException: Request method '${pick(c.r, ["PUT", "PATCH", "DELETE", "GET"])}' is not supported]`) },
    { id: "partitions-assigned", tier: 3, line: (c) => sb(c, "INFO", "org.springframework.kafka.KafkaListenerEndpointContainer#0-0-C-1", "o.s.k.l.KafkaMessageListenerContainer", `orders-consumer: partitions assigned: [orders-events-${int(c.r, 0, 5)}, orders-events-${int(c.r, 6, 11)}]`) },
    { id: "partitions-revoked", tier: 3, line: (c) => sb(c, "INFO", "org.springframework.kafka.KafkaListenerEndpointContainer#0-0-C-1", "o.s.k.l.KafkaMessageListenerContainer", `orders-consumer: partitions revoked: [orders-events-${int(c.r, 0, 5)}, orders-events-${int(c.r, 6, 11)}]`) },
    { id: "reconciliation-finished", tier: 2, line: (c) => sb(c, "INFO", `scheduling-${int(c.r, 1, 4)}`, "c.s.orders.jobs.ReconciliationJob", `Reconciliation of shard-${int(c.r, 0, 31)} finished: matched=${int(c.r, 100, 9000)} mismatched=${int(c.r, 0, 12)} duration=${shortDur(exp(c.r, 1400) + 80)}`) },
    {
      // one order's retries form a chain: after each failed attempt either another attempt, giving up, or (silently) success
      id: "reserve-stock-retry", tier: 2, follow: { after: { "reserve-stock-retry": 0.55 }, delay: [200, 1600], oneOf: "next" },
      line: (c) => {
        const a = c.once("attempt", () => ({ n: 1 }));
        const sku = c.once("sku", () => pick(c.r, SKU_POOL));
        return sb(c, "WARN", c.once("th", () => execThread(c)), "c.s.orders.inventory.InventoryClient", `Reserve stock attempt#${a.n++} failed for sku=${sku}: 503 Service Unavailable from POST http://inventory.shop.svc:8080/api/reservations?orderId=${orderId(c)}&warehouse=${c.once("wh", () => pick(c.r, ["AMS1", "FRA2", "DUB1"]))}`);
      },
    },
    { id: "reserve-stock-gave-up", follow: { after: { "reserve-stock-retry": 0.3 }, delay: [5, 40], oneOf: "next" }, line: (c) => sb(c, "ERROR", c.once("th", () => execThread(c)), "c.s.orders.inventory.InventoryClient", `Giving up reserving stock for order ${orderId(c)} after ${c.once("attempt", () => ({ n: 2 })).n - 1} attempts`) },
  ],
};

// ── 6. Node service, pino-pretty (singleLine, translateTime SYS:standard) ───

const NODE_HOSTS = ["worker-3", "worker-7", "worker-12"];
const NODE_PID: Record<string, number> = Object.fromEntries(NODE_HOSTS.map((h) => [h, int(rPool, 20, 4000)]));
function pino(c: Ctx, level: string, msg: string, obj?: unknown): string {
  return `[${ts.pino(c.t)}] ${level} (checkout-api/${NODE_PID[c.host]} on ${c.host}): ${msg}${obj === undefined ? "" : " " + JSON.stringify(obj)}`;
}
const pinoReq = (c: Ctx, m?: string) => ({ id: `req-${hex(c.r, 12)}`, method: m ?? method(c.r), url: apiPath(c.r), remoteAddress: `::ffff:${ip4int(c.r, 1)}` });
const JOB_ERRORS = ["connect ETIMEDOUT 10.0.7.21:587", "Invalid login: 535 5.7.8 Authentication credentials invalid", "Message rejected: Email address is not verified", "socket hang up", "Template 'order-shipped' not found"];

const NODE: Sys = {
  name: "node",
  volume: 140,
  hosts: NODE_HOSTS,
  templates: [
    { id: "request-completed-info", tier: 1, line: (c) => pino(c, "INFO", "request completed", { req: pinoReq(c), res: { statusCode: pick(c.r, [200, 200, 200, 201, 204, 304]) }, responseTime: int(c.r, 2, 400) }) },
    { id: "request-completed-warn", tier: 2, line: (c) => pino(c, "WARN", "request completed", { req: pinoReq(c), res: { statusCode: pick(c.r, [400, 401, 403, 404, 404, 409, 422]) }, responseTime: int(c.r, 1, 120) }) },
    { id: "request-completed-error", tier: 3, burst: [6, 900], line: (c) => pino(c, "ERROR", "request completed", { req: pinoReq(c), res: { statusCode: pick(c.r, [500, 502, 503]) }, responseTime: int(c.r, 5, 30_000) }) },
    { id: "request-errored", tier: 3, line: (c) => pino(c, "ERROR", "request errored", { req: pinoReq(c, "POST"), res: { statusCode: 500 }, err: { type: "Error", message: `Cart ${uuid(c.r)} is locked by another checkout` }, responseTime: int(c.r, 5, 900) }) },
    { id: "server-listening", tier: 4, line: (c) => pino(c, "INFO", `Server listening on http://0.0.0.0:${pick(c.r, [3000, 3000, 8080])}`) },
    { id: "sigterm-draining", tier: 4, line: (c) => pino(c, "INFO", "received SIGTERM, draining connections", { inflight: int(c.r, 0, 40), graceMs: 10000 }) },
    { id: "redis-reconnecting", tier: 3, burst: [6, 2000], line: (c) => { const a = c.sticky("attempt", () => ({ n: 1 })); const n = a.n++; return pino(c, "WARN", "redis connection lost, reconnecting", { attempt: n, delayMs: Math.min(2000, 50 * n), host: "redis-master.shop.svc", port: 6379 }); } },
    { id: "job-processed", tier: 1, line: (c) => pino(c, "INFO", "job processed", { queue: "emails", jobId: String(int(c.r, 100_000, 999_999)), name: pick(c.r, ["order-confirmation", "password-reset", "shipping-update", "abandoned-cart"]), durationMs: int(c.r, 40, 2500) }) },
    { id: "job-failed", tier: 3, line: (c) => pino(c, "ERROR", "job failed", { queue: "emails", jobId: String(int(c.r, 100_000, 999_999)), attemptsMade: int(c.r, 1, 5), err: pick(c.r, JOB_ERRORS) }) },
    { id: "token-verification-failed", tier: 2, line: (c) => pino(c, "WARN", "token verification failed", { reqId: `req-${hex(c.r, 12)}`, reason: "jwt expired", expiredAt: ts.iso(c.t - int(c.r, 1000, 86_400_000)) }) },
    { id: "unhandled-rejection", tier: 4, line: (c) => { const prop = pick(c.r, ["items", "currency", "shippingAddress"]); return pino(c, "FATAL", "unhandledRejection", { err: { type: "TypeError", message: `Cannot read properties of undefined (reading '${prop}')`, stack: `TypeError: Cannot read properties of undefined (reading '${prop}')\n    at computeShipping (/app/dist/checkout/shipping.js:${int(c.r, 20, 200)}:${int(c.r, 5, 40)})` } }); } },
    { id: "slow-query", tier: 2, line: (c) => pino(c, "WARN", "slow query", { durationMs: int(c.r, 1000, 12_000), model: pick(c.r, ["Order", "CartItem", "Product", "Customer"]), action: pick(c.r, ["findMany", "findUnique", "updateMany"]), rows: int(c.r, 0, 5000) }) },
    { id: "websocket-established", tier: 2, line: (c) => pino(c, "INFO", "websocket connection established", { connId: c.once("conn", () => uuid(c.r)), ip: clientIp(c.r), path: `/ws/orders?token=${b64(c.r, 24)}` }) },
    { id: "websocket-closed", follow: { after: { "websocket-established": 0.9 }, delay: [2000, 3_600_000] }, line: (c) => pino(c, "INFO", "websocket connection closed", { connId: c.once("conn", () => uuid(c.r)), code: pick(c.r, [1000, 1001, 1001, 1006]), durationMs: Math.round(c.t - c.once("t0", () => c.t)) }) },
    { id: "upstream-econnreset", tier: 3, line: (c) => pino(c, "ERROR", "upstream request failed", { url: `https://api.payments.example/v1/charges?customer=cus_${alnum(c.r, 14)}&limit=10`, code: "ECONNRESET", attempt: int(c.r, 1, 3) }) },
  ],
};

// ── 7. Redis server ──────────────────────────────────────────────────────────

const REDIS_PID: Record<string, number> = { "cache-1": 2871, "cache-2": 1913 };
const REDIS_IP: Record<string, string> = { "cache-1": "10.0.6.11", "cache-2": "10.0.6.12" };
/** M lines come from the primary (cache-1), S lines from the replica (cache-2), C lines from a forked child */
function rds(c: Ctx, role: "M" | "S" | "C", lvl: "*" | "#" | "-" | ".", msg: string): string {
  const pid = role === "C" ? childPid(c) : REDIS_PID[role === "S" ? "cache-2" : "cache-1"];
  return `${pid}:${role} ${ts.redis(c.t)} ${lvl} ${msg}`;
}
const childPid = (c: Ctx) => c.once("child", () => int(c.r, 100_000, 4_000_000));
const redisRole = (c: Ctx) => (c.host === "cache-1" ? "M" : "S");
const SAVE_POINTS: [number, number][] = [[1, 3600], [100, 300], [10000, 60]];

const REDIS: Sys = {
  name: "redis",
  volume: 25,
  hosts: ["cache-1", "cache-1", "cache-2"],
  templates: [
    { id: "changes-saving", tier: 2, line: (c) => { const [n, s] = pick(c.r, SAVE_POINTS); return rds(c, redisRole(c), "*", `${n === 1 ? 1 : n + int(c.r, 0, n * 3)} changes in ${s} seconds. Saving...`); } },
    { id: "bgsave-started", follow: { after: { "changes-saving": 1 }, delay: [0, 1] }, line: (c) => rds(c, redisRole(c), "*", `Background saving started by pid ${childPid(c)}`) },
    { id: "db-saved", follow: { after: { "bgsave-started": 0.99 }, delay: [40, 2500] }, line: (c) => rds(c, "C", "*", `DB saved on disk`) },
    { id: "fork-cow", follow: { after: { "db-saved": 1 }, delay: [0, 1] }, line: (c) => { const cur = int(c.r, 0, 40); return rds(c, "C", "*", `Fork CoW for RDB: current ${cur} MB, peak ${cur + int(c.r, 0, 8)} MB, average ${Math.round(cur / 2)} MB`); } },
    { id: "bgsave-success", follow: { after: { "fork-cow": 1 }, delay: [60, 140] }, line: (c) => rds(c, redisRole(c), "*", `Background saving terminated with success`) },
    { id: "bgsave-error", tier: 4, line: (c) => rds(c, redisRole(c), "#", `Background saving error`) },
    {
      id: "client-output-buffer-closed", tier: 3, burst: [4, 3000],
      line: (c) => {
        const omem = int(c.r, 33_554_432, 70_000_000);
        return rds(c, redisRole(c), "#", `Client id=${int(c.r, 1000, 990_000)} addr=${ip4int(c.r, 5)}:${ephemeralPort(c.r)} laddr=${REDIS_IP[c.host]}:6379 fd=${int(c.r, 9, 900)} name=${pick(c.r, ["", "notifier", "ws-fanout"])} age=${int(c.r, 1, 90_000)} idle=0 flags=P db=0 sub=${int(c.r, 1, 40)} psub=0 ssub=0 multi=-1 watch=0 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=${int(c.r, 900, 40000)} omem=${omem} tot-mem=${omem + int(c.r, 2000, 30000)} events=rw cmd=subscribe user=default redir=-1 resp=2 lib-name= lib-ver= scheduled to be closed ASAP for overcoming of output buffer limits.`);
      },
    },
    { id: "aof-fsync-slow", tier: 2, burst: [5, 20_000], line: (c) => rds(c, redisRole(c), "*", `Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.`) },
    { id: "replica-asks-sync", follow: { after: { "replica-sync-started": 1 }, delay: [1, 5] }, line: (c) => rds(c, "M", "*", `Replica ${c.once("rip", () => REDIS_IP["cache-2"])}:6379 asks for synchronization`) },
    { id: "full-resync", follow: { after: { "replica-asks-sync": 1 }, delay: [0, 2] }, line: (c) => rds(c, "M", "*", `Full resync requested by replica ${c.once("rip", () => REDIS_IP["cache-2"])}:6379`) },
    { id: "master-link-lost", tier: 4, line: (c) => rds(c, "S", "#", `Connection with master lost.`) },
    { id: "connecting-to-master", follow: { after: { "master-link-lost": 1 }, delay: [500, 1500] }, line: (c) => rds(c, "S", "*", `Connecting to MASTER ${REDIS_IP["cache-1"]}:6379`) },
    { id: "replica-sync-started", follow: { after: { "connecting-to-master": 1 }, delay: [0, 5] }, line: (c) => rds(c, "S", "*", `MASTER <-> REPLICA sync started`) },
    { id: "overcommit-warning", tier: 4, line: (c) => rds(c, redisRole(c), "#", `WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect.`) },
    { id: "ready-to-accept", tier: 4, line: (c) => rds(c, redisRole(c), "*", `Ready to accept connections tcp`) },
    { id: "tls-accept-error", tier: 3, burst: [4, 5000], line: (c) => rds(c, redisRole(c), "#", `Error accepting a client connection: error:0A000126:SSL routines::unexpected eof while reading (addr=${ip4int(c.r)}:${ephemeralPort(c.r)} laddr=${REDIS_IP[c.host]}:6379)`) },
  ],
};

// ── 8. systemd / logind / cron via journal → syslog ─────────────────────────

interface Unit { name: string; desc: string; oneshot: boolean }
const UNITS: Unit[] = [
  { name: "nginx.service", desc: "A high performance web server and a reverse proxy server", oneshot: false },
  { name: "docker.service", desc: "Docker Application Container Engine", oneshot: false },
  { name: "containerd.service", desc: "containerd container runtime", oneshot: false },
  { name: "node-exporter.service", desc: "Prometheus Node Exporter", oneshot: false },
  { name: "orders-worker.service", desc: "Orders background worker", oneshot: false },
  { name: "fluent-bit.service", desc: "Fluent Bit", oneshot: false },
  { name: "apt-daily.service", desc: "Daily apt download activities", oneshot: true },
  { name: "apt-daily-upgrade.service", desc: "Daily apt upgrade and clean activities", oneshot: true },
  { name: "logrotate.service", desc: "Rotate log files", oneshot: true },
  { name: "man-db.service", desc: "Daily man-db regeneration", oneshot: true },
  { name: "systemd-tmpfiles-clean.service", desc: "Cleanup of Temporary Directories", oneshot: true },
  { name: "fstrim.service", desc: "Discard unused blocks on filesystems from /etc/fstab", oneshot: true },
  { name: "certbot.service", desc: "Certbot", oneshot: true },
  { name: "sysstat-collect.service", desc: "system activity accounting tool", oneshot: true },
];
const SERVICES = UNITS.filter((u) => !u.oneshot);
const CRON_JOBS: [string, string][] = [
  ["root", "command -v debian-sa1 > /dev/null && debian-sa1 1 1"],
  ["root", "cd / && run-parts --report /etc/cron.hourly"],
  ["backup", "/usr/local/bin/pg-backup.sh --incremental >> /var/log/pg-backup.log 2>&1"],
  ["deploy", "/opt/shop/bin/refresh-sitemap --quiet"],
  ["root", "test -x /usr/sbin/certbot && perl -e 'sleep int(rand(43200))' && certbot -q renew"],
];
const jHosts = ["ip-10-0-3-17", "ip-10-0-3-42", "worker-7"];
const journal = (c: Ctx, proc: string, msg: string) => `${ts.syslog(c.t)} ${c.host} ${proc}: ${msg}`;
const sysd = (c: Ctx, msg: string) => journal(c, "systemd[1]", msg);
const anyUnit = (c: Ctx) => c.once("unit", () => pick(c.r, UNITS));
const svcUnit = (c: Ctx) => c.once("unit", () => pick(c.r, SERVICES));
const jState = { session: 3180 };
const cronJob = (c: Ctx) => c.once("job", () => pick(c.r, CRON_JOBS));
const cronPid = (c: Ctx) => c.once("pid", () => int(c.r, 100_000, 900_000));
const logindPid: Record<string, number> = Object.fromEntries(jHosts.map((h) => [h, int(rPool, 500, 900)]));

const SYSTEMD: Sys = {
  name: "systemd",
  volume: 40,
  hosts: jHosts,
  templates: [
    { id: "starting-unit", tier: 2, line: (c) => { const u = anyUnit(c); return sysd(c, `Starting ${u.name} - ${u.desc}...`); } },
    { id: "started-unit", follow: { after: { "starting-unit": 1 }, delay: [5, 3000] }, line: (c) => { const u = anyUnit(c); return u.oneshot ? null : sysd(c, `Started ${u.name} - ${u.desc}.`); } },
    { id: "finished-unit", follow: { after: { "starting-unit": 1 }, delay: [50, 20_000] }, line: (c) => { const u = anyUnit(c); return u.oneshot ? sysd(c, `Finished ${u.name} - ${u.desc}.`) : null; } },
    { id: "deactivated", follow: { after: { "finished-unit": 1 }, delay: [0, 2] }, line: (c) => { const u = anyUnit(c); return u.oneshot ? sysd(c, `${u.name}: Deactivated successfully.`) : null; } },
    { id: "consumed-cpu", follow: { after: { "deactivated": 0.8 }, delay: [0, 1] }, line: (c) => { const u = anyUnit(c); return u.oneshot ? sysd(c, `${u.name}: Consumed ${chance(c.r, 0.5) ? `${int(c.r, 3, 999)}ms` : `${dec(c.r, 1, 40, 3)}s`} CPU time.`) : null; } },
    { id: "stopping-unit", tier: 3, line: (c) => { const u = svcUnit(c); return sysd(c, `Stopping ${u.name} - ${u.desc}...`); } },
    { id: "stopped-unit", follow: { after: { "stopping-unit": 1 }, delay: [50, 5000] }, line: (c) => { const u = svcUnit(c); return sysd(c, `Stopped ${u.name} - ${u.desc}.`); } },
    { id: "main-process-exited", tier: 3, burst: [4, 12_000], line: (c) => { const u = c.sticky("unit", () => pick(c.r, SERVICES)); return sysd(c, `${u.name}: Main process exited, code=exited, status=${c.sticky("status", () => pick(c.r, ["1/FAILURE", "2/INVALIDARGUMENT", "203/EXEC"]))}`); } },
    { id: "failed-with-result", follow: { after: { "main-process-exited": 1 }, delay: [0, 2] }, line: (c) => sysd(c, `${c.sticky("unit", () => pick(c.r, SERVICES)).name}: Failed with result 'exit-code'.`) },
    { id: "scheduled-restart", follow: { after: { "failed-with-result": 0.85 }, delay: [5000, 10_000] }, line: (c) => { const k = c.sticky("restarts", () => ({ n: int(c.r, 0, 3) })); return sysd(c, `${c.sticky("unit", () => pick(c.r, SERVICES)).name}: Scheduled restart job, restart counter is at ${++k.n}.`); } },
    { id: "oom-killed", tier: 4, line: (c) => sysd(c, `${svcUnit(c).name}: A process of this unit has been killed by the OOM killer.`) },
    { id: "logind-new-session", tier: 2, line: (c) => journal(c, `systemd-logind[${logindPid[c.host]}]`, `New session ${c.once("session", () => ++jState.session)} of user ${c.once("user", () => pick(c.r, USERS))}.`) },
    { id: "logind-removed-session", follow: { after: { "logind-new-session": 0.9 }, delay: [10_000, 3_600_000] }, line: (c) => journal(c, `systemd-logind[${logindPid[c.host]}]`, `Removed session ${c.once("session", () => ++jState.session)}.`) },
    { id: "cron-session-opened", tier: 1, align: 60_000, line: (c) => { const [u] = cronJob(c); return journal(c, `CRON[${cronPid(c)}]`, `pam_unix(cron:session): session opened for user ${u}(uid=${uidOf(u)}) by (uid=0)`); } },
    { id: "cron-cmd", follow: { after: { "cron-session-opened": 1 }, delay: [1, 8] }, line: (c) => { const [u, cmd] = cronJob(c); return journal(c, `CRON[${cronPid(c)}]`, `(${u}) CMD (${cmd})`); } },
    { id: "cron-session-closed", follow: { after: { "cron-cmd": 1 }, delay: [40, 5000] }, line: (c) => journal(c, `CRON[${cronPid(c)}]`, `pam_unix(cron:session): session closed for user ${cronJob(c)[0]}`) },
  ],
};

// ── 9. HAProxy via syslog ────────────────────────────────────────────────────

const HAPROXY_PID: Record<string, number> = { "lb-1": 2211, "lb-2": 2304 };
const hap = (c: Ctx, msg: string) => `${ts.syslog(c.t)} ${c.host} haproxy[${HAPROXY_PID[c.host]}]: ${msg}`;
const hapClient = (c: Ctx) => `${clientIp(c.r)}:${ephemeralPort(c.r)}`;
const apiServer = (c: Ctx) => c.sticky("srv", () => `api-${int(c.r, 1, 6)}`);

const HAPROXY: Sys = {
  name: "haproxy",
  volume: 220,
  hosts: ["lb-1", "lb-2"],
  templates: [
    {
      id: "http-log", tier: 1,
      line: (c) => {
        const kind = c.r();
        const [status, flags, srv] = kind < 0.93 ? [pick(c.r, [200, 200, 200, 200, 201, 204, 301, 304, 404]), "----", `api-${int(c.r, 1, 6)}`] : kind < 0.97 ? [504, "sH--", `api-${int(c.r, 1, 6)}`] : [503, "SC--", "<NOSRV>"];
        const tr = status === 504 ? 30000 : int(c.r, 1, 800);
        const ta = tr + int(c.r, 0, 5);
        const timers = srv === "<NOSRV>" ? `0/-1/-1/-1/${int(c.r, 0, 3)}` : `0/0/${int(c.r, 0, 3)}/${tr}/${ta}`;
        const conns = `${int(c.r, 100, 900)}/${int(c.r, 100, 800)}/${int(c.r, 10, 90)}/${int(c.r, 1, 20)}/0`;
        return hap(c, `${hapClient(c)} [${ts.clf(c.t - ta)}] fe_https~ be_api/${srv} ${timers} ${status} ${status === 204 || status === 304 ? 0 : int(c.r, 180, 90_000)} - - ${flags} ${conns} 0/0 "${method(c.r)} ${apiPath(c.r)} HTTP/1.1"`);
      },
    },
    { id: "tcp-log", tier: 2, line: (c) => { const tt = int(c.r, 5, 600_000); return hap(c, `${ip4int(c.r, 2)}:${ephemeralPort(c.r)} [${ts.clf(c.t - tt)}] fe_pg be_pg/pg-main-${int(c.r, 0, 1)} 1/0/${tt} ${int(c.r, 500, 9_000_000)} -- ${int(c.r, 10, 200)}/${int(c.r, 5, 100)}/${int(c.r, 5, 100)}/${int(c.r, 5, 100)}/0 0/0`); } },
    { id: "ssl-handshake-failure", tier: 2, burst: [8, 1500], line: (c) => hap(c, `${c.sticky("ip", () => clientIp(c.r))}:${ephemeralPort(c.r)} [${ts.clf(c.t)}] fe_https/1: SSL handshake failure`) },
    { id: "ssl-closed-during-handshake", tier: 3, line: (c) => hap(c, `${hapClient(c)} [${ts.clf(c.t)}] fe_https/1: Connection closed during SSL handshake`) },
    { id: "ssl-handshake-timeout", tier: 3, line: (c) => hap(c, `${hapClient(c)} [${ts.clf(c.t - 5000)}] fe_https/1: Timeout during SSL handshake`) },
    { id: "server-down-layer4", tier: 4, line: (c) => hap(c, `Server be_api/${apiServer(c)} is DOWN, reason: Layer4 timeout, check duration: ${int(c.r, 2001, 2010)}ms. ${int(c.r, 3, 5)} active and 0 backup servers left. ${int(c.r, 0, 30)} sessions active, 0 requeued, 0 remaining in queue.`) },
    { id: "server-down-layer7", tier: 4, line: (c) => hap(c, `Server be_api/${apiServer(c)} is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: ${int(c.r, 1, 40)}ms. ${int(c.r, 3, 5)} active and 0 backup servers left. ${int(c.r, 0, 30)} sessions active, 0 requeued, 0 remaining in queue.`) },
    { id: "server-up", follow: { after: { "server-down-layer4": 0.9, "server-down-layer7": 0.9 }, delay: [20_000, 300_000] }, line: (c) => hap(c, `Server be_api/${apiServer(c)} is UP, reason: Layer7 check passed, code: 200, check duration: ${int(c.r, 1, 40)}ms. ${int(c.r, 4, 6)} active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`) },
    { id: "backend-no-server", tier: 4, line: (c) => hap(c, `backend be_search has no server available!`) },
    { id: "proxy-started", tier: 4, line: (c) => hap(c, `Proxy ${pick(c.r, ["fe_https", "fe_pg", "be_api", "be_pg", "be_search", "stats"])} started.`) },
    { id: "proxy-stopped", tier: 4, line: (c) => hap(c, `Proxy ${pick(c.r, ["fe_https", "be_api", "be_search"])} stopped (cumulated conns: FE: ${int(c.r, 1000, 900_000)}, BE: ${int(c.r, 1000, 900_000)}).`) },
  ],
};

// ── 10. Kafka broker (log4j "[%d] %p %m (%c)%n") ──────────────────────────────

const TOPICS = ["orders-events", "payments", "inventory-updates", "search-index", "clickstream"];
const tp = (c: Ctx) => c.once("tp", () => `${pick(c.r, TOPICS)}-${int(c.r, 0, 11)}`);
const broker = (c: Ctx) => c.once("broker", () => int(c.r, 1, 3));
const kafka = (c: Ctx, level: string, msg: string, cls: string) => `[${ts.log4j(c.t)}] ${level} ${msg} (${cls})`;
const GROUPS = ["orders-consumer", "search-indexer", "fraud-scorer", "analytics-sink"];
const member = (c: Ctx, g: string) => `${g}-${int(c.r, 1, 6)}-${uuid(c.r)}`;
const isr = (b: number) => [1, 2, 3].filter((x) => x === b).concat([1, 2, 3].filter((x) => x !== b));

const KAFKA: Sys = {
  name: "kafka",
  volume: 50,
  hosts: ["kafka-1", "kafka-2", "kafka-3"],
  templates: [
    { id: "rolled-segment", tier: 1, line: (c) => kafka(c, "INFO", `[LocalLog partition=${tp(c)}, dir=/var/lib/kafka/data] Rolled new log segment at offset ${c.once("off", () => int(c.r, 1_000_000, 900_000_000))} in ${int(c.r, 0, 12)} ms.`, "kafka.log.LocalLog") },
    { id: "producer-snapshot", follow: { after: { "rolled-segment": 1 }, delay: [0, 2] }, line: (c) => kafka(c, "INFO", `[ProducerStateManager partition=${tp(c)}] Wrote producer snapshot at offset ${c.once("off", () => int(c.r, 1_000_000, 900_000_000))} with ${int(c.r, 0, 40)} producer ids in ${int(c.r, 0, 9)} ms.`, "org.apache.kafka.storage.internals.log.ProducerStateManager") },
    { id: "deletable-segments", tier: 2, line: (c) => kafka(c, "INFO", `[UnifiedLog partition=${tp(c)}, dir=/var/lib/kafka/data] Found deletable segments with base offsets [${c.once("base", () => int(c.r, 1000, 500_000_000))}] due to retention time 604800000ms breach based on the largest record timestamp in the segment`, "kafka.log.UnifiedLog") },
    { id: "deleting-segment-files", follow: { after: { "deletable-segments": 1 }, delay: [60_000, 61_000] }, line: (c) => { const lm = ts.epochMs(c.t) - int(c.r, 604_800_000, 700_000_000); return kafka(c, "INFO", `[LocalLog partition=${tp(c)}, dir=/var/lib/kafka/data] Deleting segment files LogSegment(baseOffset=${c.once("base", () => int(c.r, 1000, 500_000_000))}, size=${int(c.r, 1_000_000, 1_073_741_824)}, lastModifiedTime=${lm}, largestRecordTimestamp=${lm - int(c.r, 0, 3000)})`, "kafka.log.LocalLog$"); } },
    {
      id: "preparing-rebalance", tier: 2,
      line: (c) => {
        const g = c.once("group", () => pick(c.r, GROUPS));
        return kafka(c, "INFO", `[GroupCoordinator ${broker(c)}]: Preparing to rebalance group ${g} in state PreparingRebalance with old generation ${c.once("gen", () => int(c.r, 10, 4000))} (__consumer_offsets-${c.once("cop", () => int(c.r, 0, 49))}) (reason: Adding new member ${member(c, g)} with group instance id None)`, "kafka.coordinator.group.GroupCoordinator");
      },
    },
    { id: "stabilized-group", follow: { after: { "preparing-rebalance": 0.95 }, delay: [3000, 12_000] }, line: (c) => kafka(c, "INFO", `[GroupCoordinator ${broker(c)}]: Stabilized group ${c.once("group", () => pick(c.r, GROUPS))} generation ${c.once("gen", () => int(c.r, 10, 4000)) + 1} (__consumer_offsets-${c.once("cop", () => int(c.r, 0, 49))}) with ${c.once("members", () => int(c.r, 1, 12))} members`, "kafka.coordinator.group.GroupCoordinator") },
    { id: "assignment-received", follow: { after: { "stabilized-group": 1 }, delay: [2, 60] }, line: (c) => { const g = c.once("group", () => pick(c.r, GROUPS)); return kafka(c, "INFO", `[GroupCoordinator ${broker(c)}]: Assignment received from leader ${member(c, g)} for group ${g} for generation ${c.once("gen", () => int(c.r, 10, 4000)) + 1}. The group has ${c.once("members", () => int(c.r, 1, 12))} members, 0 of which are static.`, "kafka.coordinator.group.GroupCoordinator"); } },
    { id: "member-failed", tier: 3, line: (c) => { const g = pick(c.r, GROUPS); return kafka(c, "INFO", `[GroupCoordinator ${broker(c)}]: Member ${member(c, g)} in group ${g} has failed, removing it from the group`, "kafka.coordinator.group.GroupCoordinator"); } },
    {
      id: "shrinking-isr", tier: 3, burst: [5, 300],
      line: (c) => {
        const b = c.sticky("broker", () => int(c.r, 1, 3)), out = c.sticky("out", () => pick(c.r, [1, 2, 3].filter((x) => x !== b)));
        const hw = int(c.r, 1_000_000, 90_000_000);
        return kafka(c, "INFO", `[Partition ${tp(c)} broker=${b}] Shrinking ISR from ${isr(b).join(",")} to ${isr(b).filter((x) => x !== out).join(",")}. Leader: (highWatermark: ${hw}, endOffset: ${hw + int(c.r, 1, 900)}). Out of sync replicas: (brokerId: ${out}, endOffset: ${hw}, lastCaughtUpTimeMs: ${ts.epochMs(c.t) - int(c.r, 30_000, 45_000)}).`, "kafka.cluster.Partition");
      },
    },
    { id: "isr-updated", follow: { after: { "shrinking-isr": 1 }, delay: [5, 50] }, line: (c) => { const b = c.sticky("broker", () => int(c.r, 1, 3)), out = c.sticky("out", () => 0); return kafka(c, "INFO", `[Partition ${tp(c)} broker=${b}] ISR updated to ${isr(b).filter((x) => x !== out).join(",")} and version updated to ${int(c.r, 20, 900)}`, "kafka.cluster.Partition"); } },
    {
      id: "fetch-error-response", tier: 3, burst: [6, 2000],
      line: (c) => {
        const leader = c.sticky("leader", () => int(c.r, 1, 3)), me = c.sticky("me", () => (leader % 3) + 1), off = int(c.r, 1_000_000, 90_000_000), e = int(c.r, 3, 60);
        return kafka(c, "WARN", `[ReplicaFetcher replicaId=${me}, leaderId=${leader}, fetcherId=${int(c.r, 0, 1)}] Error in response for fetch request (type=FetchRequest, replicaId=${me}, maxWait=500, minBytes=1, maxBytes=10485760, fetchData={${tp(c)}=(fetchOffset=${off}, logStartOffset=${off - int(c.r, 100_000, 900_000)}, maxBytes=1048576, currentLeaderEpoch=Optional[${e}], lastFetchedEpoch=Optional[${e}])}, isolationLevel=READ_UNCOMMITTED, removed=, replaced=, metadata=(sessionId=${int(c.r, 100_000_000, 2_000_000_000)}, epoch=${int(c.r, 1, 90_000)}), rackId=)`, "kafka.server.ReplicaFetcherThread");
      },
    },
    { id: "node-disconnected", tier: 2, line: (c) => { const t = int(c.r, 3001, 3003); return kafka(c, "INFO", `[NodeToControllerChannelManager id=${broker(c)} name=forwarding] Node ${t} disconnected.`, "org.apache.kafka.clients.NetworkClient"); } },
    { id: "failed-authentication", tier: 3, burst: [5, 4000], line: (c) => { const ip = c.sticky("ip", () => ip4int(c.r, 8)); const port = ephemeralPort(c.r); return kafka(c, "INFO", `[SocketServer listenerType=BROKER, nodeId=${broker(c)}] Failed authentication with /${ip} (channelId=10.0.6.${20 + broker(c)}:9093-${ip}:${port}-${int(c.r, 0, 400)}) (SSL handshake failed)`, "org.apache.kafka.common.network.Selector"); } },
    { id: "loading-producer-state", tier: 4, burst: [3, 20], line: (c) => kafka(c, "INFO", `[LogLoader partition=${tp(c)}, dir=/var/lib/kafka/data] Loading producer state till offset ${int(c.r, 1_000_000, 900_000_000)} with message format version 2`, "kafka.log.UnifiedLog$") },
  ],
};

// ── 11. HDFS NameNode / DataNode (Hadoop log4j "%d{ISO8601} %p %c: %m%n") ────

const DN_IPS = ["10.0.5.11", "10.0.5.12", "10.0.5.13", "10.0.5.14", "10.0.5.15", "10.0.5.21", "10.0.5.22", "10.0.5.23", "10.0.5.24", "10.0.5.25"];
const hdfsClientIp = (r: Rng) => ip4int(r, 7);
const BP = `BP-${int(rPool, 100_000_000, 2_000_000_000)}-10.0.5.2-${T0 - 86_400_000 * 400}`;
const DN_UUID: Record<string, string> = Object.fromEntries(DN_IPS.map((ip) => [ip, uuid(rPool)]));
const EC_BASE = BigInt("-9223372036854775808");
const hdfs = (c: Ctx, level: string, cls: string, msg: string) => `${ts.log4j(c.t)} ${level} ${cls}: ${msg}`;
const DN = "org.apache.hadoop.hdfs.server.datanode.DataNode";
/** contiguous blocks have positive sequential ids; erasure-coded block groups negative ones */
const blk = (c: Ctx) =>
  c.once("blk", () => {
    const gs = int(c.r, 1001, 90_000);
    if (c.once("ec", () => chance(c.r, 0.15))) return `blk_${(EC_BASE + BigInt(16 * int(c.r, 1, 400_000))).toString()}_${gs}`;
    return `blk_${1_073_741_825 + int(c.r, 0, 2_000_000)}_${gs}`;
  });
const blkId = (c: Ctx) => blk(c).split("_")[1];
const dnIp = (c: Ctx) => pick(c.r, DN_IPS);
const hdfsPath = (c: Ctx) => c.once("path", () => pick(c.r, [
  `/user/${pick(c.r, USERS)}/exports/orders-${ts.log4j(c.t).slice(0, 10)}.parquet`,
  `/warehouse/clickstream/dt=${ts.log4j(c.t).slice(0, 10)}/part-${String(int(c.r, 0, 199)).padStart(5, "0")}-${uuid(c.r)}.c000.snappy.parquet`,
  `/tmp/hive/${pick(c.r, USERS)}/${uuid(c.r)}/_tmp_space.db/000000_0`,
  `/apps/spark/event-logs/application_${ts.epochMs(c.t) - 3_600_000}_${String(int(c.r, 1, 9999)).padStart(4, "0")}.inprogress`,
]));
const dfsClient = (c: Ctx) => c.once("cli", () => `DFSClient_NONMAPREDUCE_${int(c.r, -2_000_000_000, 2_000_000_000)}_${int(c.r, 1, 90)}`);

const HDFS: Sys = {
  name: "hdfs",
  volume: 28,
  hosts: ["nn-1"],
  templates: [
    {
      id: "nn-allocate-block", tier: 2,
      line: (c) => {
        c.once("op", () => "HDFS_WRITE");
        const b = blk(c);
        const n = c.once("ec", () => false) ? 9 : 3;
        const reps = shuffle(c.r, DN_IPS).slice(0, n).map((ip) => `${ip}:9866`);
        return hdfs(c, "INFO", "org.apache.hadoop.hdfs.server.namenode.FSNamesystem", `BLOCK* allocate ${b}, replicas=${reps.join(", ")} for ${hdfsPath(c)}`);
      },
    },
    { id: "dn-receiving", follow: { after: { "nn-allocate-block": 1, "dn-receiving": 0.55 }, delay: [1, 20] }, line: (c) => hdfs(c, "INFO", DN, `Receiving ${BP}:${blk(c)} src: /${dnIp(c)}:${ephemeralPort(c.r)} dest: /${dnIp(c)}:9866`) },
    { id: "dn-received", follow: { after: { "dn-receiving": 0.97 }, delay: [100, 4000] }, line: (c) => hdfs(c, "INFO", DN, `Received ${BP}:${blk(c)} src: /${dnIp(c)}:${ephemeralPort(c.r)} dest: /${dnIp(c)}:9866 volume: /data/${int(c.r, 1, 12)}/dfs/dn of size ${c.once("size", () => (chance(c.r, 0.7) ? 134_217_728 : int(c.r, 1024, 134_217_727)))}`) },
    {
      id: "dn-clienttrace", tier: 2, follow: { after: { "dn-received": 1 }, delay: [0, 1] },
      line: (c) => {
        const op = c.once("op", () => "HDFS_READ");
        const dest = dnIp(c);
        const peerEnd = `${op === "HDFS_READ" ? hdfsClientIp(c.r) : dnIp(c)}:${ephemeralPort(c.r)}`;
        const [src, dst] = op === "HDFS_READ" ? [`${dest}:9866`, peerEnd] : [peerEnd, `${dest}:9866`];
        return hdfs(c, "INFO", `${DN}.clienttrace`, `src: /${src}, dest: /${dst}, bytes: ${c.once("size", () => int(c.r, 1024, 134_217_728))}, op: ${op}, cliID: ${dfsClient(c)}, offset: 0, srvID: ${DN_UUID[dest]}, blockid: ${BP}:${blk(c)}, duration(ns): ${int(c.r, 200_000, 9_000_000_000)}`);
      },
    },
    { id: "dn-packet-responder-terminating", follow: { after: { "dn-received": 1 }, delay: [0, 1] }, line: (c) => hdfs(c, "INFO", DN, `PacketResponder: ${BP}:${blk(c)}, type=${pick(c.r, ["LAST_IN_PIPELINE", "HAS_DOWNSTREAM_IN_PIPELINE"])} terminating`) },
    { id: "nn-complete-file", follow: { after: { "nn-allocate-block": 0.9 }, delay: [500, 5000] }, line: (c) => hdfs(c, "INFO", "org.apache.hadoop.hdfs.StateChange", `DIR* completeFile: ${hdfsPath(c)} is closed by ${dfsClient(c)}`) },
    { id: "dn-xceiver-write-error", tier: 3, burst: [4, 800], line: (c) => { const me = c.sticky("dn", () => dnIp(c)); return hdfs(c, "ERROR", DN, `${ec2Host(me)}:9866:DataXceiver error processing WRITE_BLOCK operation  src: /${pick(c.r, DN_IPS.filter((ip) => ip !== me))}:${ephemeralPort(c.r)} dst: /${me}:9866`); } },
    { id: "dn-xceiver-read-error", tier: 3, line: (c) => { const me = dnIp(c); return hdfs(c, "ERROR", DN, `${ec2Host(me)}:9866:DataXceiver error processing READ_BLOCK operation  src: /${hdfsClientIp(c.r)}:${ephemeralPort(c.r)} dst: /${me}:9866`); } },
    { id: "dn-slow-mirror", tier: 2, burst: [6, 600], line: (c) => hdfs(c, "WARN", DN, `Slow BlockReceiver write packet to mirror took ${int(c.r, 301, 9000)}ms (threshold=300ms), downstream DNs=[${c.sticky("mirror", () => dnIp(c))}:9866], blockId=${blkId(c)}`) },
    { id: "dn-slow-disk", tier: 3, line: (c) => hdfs(c, "WARN", DN, `Slow BlockReceiver write data to disk cost:${int(c.r, 301, 6000)}ms (threshold=300ms), volume=file:/data/${int(c.r, 1, 12)}/dfs/dn/, blockId=${blkId(c)}`) },
    { id: "dn-scheduling-deletion", tier: 2, burst: [8, 30], line: (c) => hdfs(c, "INFO", "org.apache.hadoop.hdfs.server.datanode.fsdataset.impl.FsDatasetAsyncDiskService", `Scheduling ${blk(c)} replica FinalizedReplica, ${blk(c)}, FINALIZED for deletion`) },
    { id: "dn-deleted-block", follow: { after: { "dn-scheduling-deletion": 1 }, delay: [5, 400] }, line: (c) => hdfs(c, "INFO", "org.apache.hadoop.hdfs.server.datanode.fsdataset.impl.FsDatasetAsyncDiskService", `Deleted ${BP} ${blk(c)} URI file:/data/${int(c.r, 1, 12)}/dfs/dn/current/${BP}/current/finalized/subdir${int(c.r, 0, 31)}/subdir${int(c.r, 0, 31)}/blk_${blkId(c)}`) },
    { id: "dn-block-report", tier: 4, line: (c) => hdfs(c, "INFO", DN, `Successfully sent block report 0x${hex(c.r, 16)} with lease ID 0x${hex(c.r, 16)} to namenode: nn-1.hdfs.internal/10.0.5.2:8020,  containing 1 storage report(s), of which we sent 1. The reports had ${int(c.r, 20_000, 900_000)} total blocks and used 1 RPC(s). This took ${int(c.r, 2, 90)} msecs to generate and ${int(c.r, 20, 900)} msecs for RPC and NN processing. Got back one command: FinalizeCommand/5.`) },
    { id: "ec-reconstruct-failed", tier: 4, line: (c) => hdfs(c, "WARN", "org.apache.hadoop.hdfs.server.datanode.erasurecode.StripedBlockReconstructor", `Failed to reconstruct striped block: ${BP}:blk_${(EC_BASE + BigInt(16 * int(c.r, 1, 400_000))).toString()}_${int(c.r, 1001, 90_000)}`) },
    { id: "nn-edit-log-stats", tier: 3, line: (c) => hdfs(c, "INFO", "org.apache.hadoop.hdfs.server.namenode.FSEditLog", `Number of transactions: ${int(c.r, 2, 900)} Total time for transactions(ms): ${int(c.r, 0, 90)} Number of transactions batched in Syncs: ${int(c.r, 0, 400)} Number of syncs: ${int(c.r, 1, 400)} SyncTimes(ms): ${int(c.r, 1, 900)} `) },
  ],
};

// ── 12. Cassandra ("%-5level [%thread] %date{ISO8601} %F:%L - %msg%n") ───────

const CASS_IPS = ["10.0.6.31", "10.0.6.32", "10.0.6.33", "10.0.6.34", "10.0.6.35", "10.0.6.36"];
const CASS_HOSTID: Record<string, string> = Object.fromEntries(CASS_IPS.map((ip) => [ip, uuid(rPool)]));
const CASS_TABLES: [string, string][] = [["shop", "carts"], ["shop", "sessions"], ["shop", "product_views"], ["events", "clickstream_by_user"], ["events", "notifications"]];
const TABLE_ID: Record<string, string> = Object.fromEntries(CASS_TABLES.map(([k, t]) => [`${k}.${t}`, hex(rPool, 32)]));
const cass = (c: Ctx, level: string, thread: string, where: string, msg: string) => `${level.padEnd(5)} [${thread}] ${ts.log4j(c.t)} ${where} - ${msg}`;
const cTable = (c: Ctx) => c.sticky("table", () => pick(c.r, CASS_TABLES));
const peer = (c: Ctx) => c.once("peer", () => pick(c.r, CASS_IPS.filter((ip) => ip !== c.host)));
function gcLine(c: Ctx, level: string, ms: number): string {
  const eden = int(c.r, 200_000_000, 1_600_000_000), old = int(c.r, 900_000_000, 5_000_000_000), surv = int(c.r, 10_000_000, 90_000_000);
  return cass(c, level, "Service Thread", "GCInspector.java:294", `G1 Young Generation GC in ${ms}ms.  G1 Eden Space: ${eden} -> 0; G1 Old Gen: ${old} -> ${old + int(c.r, 0, 60_000_000)}; G1 Survivor Space: ${surv} -> ${surv + int(c.r, -5_000_000, 5_000_000)};`);
}

const CASSANDRA: Sys = {
  name: "cassandra",
  volume: 55,
  hosts: CASS_IPS,
  templates: [
    { id: "gc-young-info", tier: 1, line: (c) => gcLine(c, "INFO", int(c.r, 201, 999)) },
    { id: "gc-young-warn", tier: 3, burst: [3, 8000], line: (c) => gcLine(c, "WARN", int(c.r, 1000, 4200)) },
    {
      id: "compacted", tier: 1,
      line: (c) => {
        const [ks, t] = cTable(c);
        const a = Number(dec(c.r, 1, 900, 3)), b = Number((a * (0.55 + c.r() * 0.45)).toFixed(3)), ms = int(c.r, 80, 90_000);
        const parts = int(c.r, 1000, 900_000), merged = Math.round(parts * (0.6 + c.r() * 0.4));
        return cass(c, "INFO", `CompactionExecutor:${int(c.r, 1, 8)}`, "CompactionTask.java:253", `Compacted (${uuid(c.r)}) ${int(c.r, 2, 32)} sstables to [/var/lib/cassandra/data/${ks}/${t}-${TABLE_ID[`${ks}.${t}`]}/nb-${int(c.r, 100, 90_000)}-big,] to level=0.  ${a.toFixed(3)}MiB to ${b.toFixed(3)}MiB (~${Math.round((b / a) * 100)}% of original) in ${ms}ms.  Read Throughput = ${((a / ms) * 1000).toFixed(3)}MiB/s, Write Throughput = ${((b / ms) * 1000).toFixed(3)}MiB/s, Row Throughput = ~${int(c.r, 1000, 90_000)}/s.  ${parts} total partitions merged to ${merged}.  Partition merge counts were {1:${merged - (parts - merged)}, 2:${parts - merged}, }`);
      },
    },
    { id: "flushing-largest", tier: 2, line: (c) => { const [ks, t] = cTable(c); const u = () => `0.${String(int(c.r, 0, 99)).padStart(2, "0")}/0.00`; return cass(c, "INFO", "NativePoolCleaner", "ColumnFamilyStore.java:1015", `Flushing largest CFS(Keyspace='${ks}', ColumnFamily='${t}') to free up room. Used total: ${u()}, live: ${u()}, flushing: ${u()}, this: ${u()}`); } },
    { id: "enqueuing-flush", follow: { after: { "flushing-largest": 1 }, delay: [0, 3] }, line: (c) => { const [, t] = cTable(c); return cass(c, "INFO", "NativePoolCleaner", "ColumnFamilyStore.java:1048", `Enqueuing flush of ${t}: ${dec(c.r, 1, 400, 3)}MiB (${int(c.r, 1, 40)}%) on-heap, 0.000KiB (0%) off-heap`); } },
    { id: "gossip-down", tier: 4, line: (c) => cass(c, "INFO", "GossipStage:1", "Gossiper.java:1366", `InetAddress /${peer(c)}:7000 is now DOWN`) },
    { id: "gossip-up", follow: { after: { "gossip-down": 0.9 }, delay: [20_000, 600_000] }, line: (c) => cass(c, "INFO", "GossipStage:1", "Gossiper.java:1321", `InetAddress /${peer(c)}:7000 is now UP`) },
    { id: "hints-delivered", follow: { after: { "gossip-up": 1 }, delay: [5000, 60_000] }, line: (c) => { const p = peer(c); return cass(c, "INFO", `HintsDispatcher:${int(c.r, 1, 4)}`, "HintsDispatchExecutor.java:289", `Finished hinted handoff of file ${CASS_HOSTID[p]}-${ts.epochMs(c.t) - int(c.r, 60_000, 600_000)}-2.hints to endpoint /${p}:7000: ${CASS_HOSTID[p]}`); } },
    { id: "tombstone-warning", tier: 2, burst: [5, 4000], line: (c) => { const [ks, t] = cTable(c); return cass(c, "WARN", `ReadStage-${int(c.r, 1, 32)}`, "ReadCommand.java:616", `Read ${int(c.r, 0, 200)} live rows and ${int(c.r, 1001, 99_000)} tombstone cells for query SELECT * FROM ${ks}.${t} WHERE user_id = ${uuid(c.r)} LIMIT 5000 ALLOW FILTERING; token ${int(c.r, -2_000_000_000, 2_000_000_000)}${int(c.r, 100_000_000, 999_999_999)} (see tombstone_warn_threshold)`); } },
    { id: "batch-too-large", tier: 3, line: (c) => { const [ks, t] = cTable(c); const s = Number(dec(c.r, 5.2, 60, 3)); return cass(c, "WARN", `Native-Transport-Requests-${int(c.r, 1, 128)}`, "BatchStatement.java:294", `Batch for [${ks}.${t}] is of size ${s.toFixed(3)}KiB, exceeding specified threshold of 5.000KiB by ${(s - 5).toFixed(3)}KiB.`); } },
    { id: "slow-operations", tier: 2, line: (c) => cass(c, "INFO", "ScheduledTasks:1", "NoSpamLogger.java:105", `${int(c.r, 1, 40)} operations were slow in the last ${int(c.r, 4990, 5010)} msecs:`) },
    { id: "repair-consistent", tier: 4, line: (c) => { const [, t] = cTable(c); return cass(c, "INFO", `RepairJobTask:${int(c.r, 1, 4)}`, "SyncTask.java:74", `[repair #${uuid(c.r)}] Endpoints /${pick(c.r, CASS_IPS)}:7000 and /${pick(c.r, CASS_IPS)}:7000 are consistent for ${t}`); } },
    { id: "inbound-connection-established", tier: 3, line: (c) => { const p = peer(c); return cass(c, "INFO", `Messaging-EventLoop-3-${int(c.r, 1, 8)}`, "InboundConnectionInitiator.java:529", `/${p}:7000(/${p}:${ephemeralPort(c.r)})->/${c.host}:7000-${pick(c.r, ["SMALL_MESSAGES", "LARGE_MESSAGES", "URGENT_MESSAGES"])}-${hex(c.r, 8)} messaging connection established, version = 12, framing = CRC, encryption = unencrypted`); } },
    { id: "outbound-connected", tier: 3, line: (c) => { const p = peer(c); return cass(c, "INFO", `Messaging-EventLoop-3-${int(c.r, 1, 8)}`, "OutboundConnection.java:1153", `/${c.host}:7000(/${c.host}:${ephemeralPort(c.r)})->/${p}:7000-${pick(c.r, ["SMALL_MESSAGES", "LARGE_MESSAGES", "URGENT_MESSAGES"])}-${hex(c.r, 8)} successfully connected, version = 12, framing = CRC, encryption = unencrypted`); } },
  ],
};

// ── 13. Android logcat (threadtime) ──────────────────────────────────────────

const DEVICES = ["pixel-7-qa", "galaxy-a54-qa"];
const SYSTEM_SERVER: Record<string, number> = { "pixel-7-qa": 1432, "galaxy-a54-qa": 1187 };
const APP = "com.shopfront.app";
const PKGS = [APP, APP, APP, "com.google.android.gms.persistent", "com.android.vending", "com.android.chrome", "com.google.android.apps.photos"];
const ACTIVITIES = [".MainActivity", ".checkout.CheckoutActivity", ".product.ProductActivity", ".auth.LoginActivity"];
function logcat(c: Ctx, pid: number, tid: number, lvl: string, tag: string, msg: string): string {
  return `${ts.logcat(c.t)} ${String(pid).padStart(5)} ${String(tid).padStart(5)} ${lvl} ${tag.padEnd(8)}: ${msg}`;
}
const sysSrv = (c: Ctx, lvl: string, tag: string, msg: string) => logcat(c, SYSTEM_SERVER[c.host], SYSTEM_SERVER[c.host] + int(c.r, 20, 900), lvl, tag, msg);
/** a few long-lived app processes per device; a started process gets a fresh pid */
const APP_PIDS: Record<string, number[]> = Object.fromEntries(DEVICES.map((d) => [d, Array.from({ length: 6 }, () => int(rPool, 4000, 32000))]));
const appPid = (c: Ctx) => c.once("apid", () => pick(c.r, APP_PIDS[c.host]));
const app = (c: Ctx, lvl: string, tag: string, msg: string, main = false) => { const p = appPid(c); return logcat(c, p, main ? p : p + int(c.r, 20, 300), lvl, tag, msg); };
const appUid = (pkg: string) => (pkg === APP ? 234 : 100 + (pkg.length % 90));
const gcSize = (c: Ctx) => kb(int(c.r, 40_000, 30_000_000));
const gcMsg = (c: Ctx, kind: string) => `${kind} concurrent copying GC freed ${int(c.r, 1000, 400_000)}(${gcSize(c)}) AllocSpace objects, ${int(c.r, 0, 60)}(${gcSize(c)}) LOS objects, ${int(c.r, 20, 80)}% free, ${int(c.r, 4, 60)}MB/${int(c.r, 60, 120)}MB, paused ${int(c.r, 40, 900)}us,${int(c.r, 20, 400)}us total ${dec(c.r, 2, 180, 3)}ms`;
const okUrl = (c: Ctx) => `https://api.shopfront.example${apiPath(c.r)}`;

const ANDROID: Sys = {
  name: "android",
  volume: 80,
  hosts: DEVICES,
  templates: [
    { id: "start-proc-activity", tier: 2, line: (c) => { const pkg = c.once("pkg", () => APP); return sysSrv(c, "I", "ActivityManager", `Start proc ${c.once("apid", () => int(c.r, 4000, 32000))}:${pkg}/u0a${appUid(pkg)} for next-top-activity {${pkg}/${pkg}${c.once("act", () => pick(c.r, ACTIVITIES))}}`); } },
    { id: "start-proc-service", tier: 3, line: (c) => { const pkg = c.once("pkg", () => pick(c.r, PKGS)); return sysSrv(c, "I", "ActivityManager", `Start proc ${c.once("apid", () => int(c.r, 4000, 32000))}:${pkg}/u0a${appUid(pkg)} for service {${pkg}/${pkg}.sync.SyncService}`); } },
    { id: "displayed", follow: { after: { "start-proc-activity": 0.85 }, delay: [300, 2500] }, line: (c) => { const pkg = c.once("pkg", () => APP); const d = Math.round(c.t - c.once("t0", () => c.t)); return sysSrv(c, "I", "ActivityTaskManager", `Displayed ${pkg}/${c.once("act", () => pick(c.r, ACTIVITIES))} for user 0: +${d >= 1000 ? `${Math.floor(d / 1000)}s${d % 1000}ms` : `${d}ms`}`); } },
    { id: "process-died", tier: 2, line: (c) => sysSrv(c, "I", "ActivityManager", `Process ${c.once("pkg", () => pick(c.r, PKGS))} (pid ${appPid(c)}) has died: ${pick(c.r, ["cch CEM", "cch CRE", "prcp FGS", "fg  TOP", "svc SVC"])}`) },
    { id: "skipped-frames", tier: 1, line: (c) => app(c, "I", "Choreographer", `Skipped ${int(c.r, 30, 400)} frames!  The application may be doing too much work on its main thread.`, true) },
    { id: "gc-background-young", tier: 1, line: (c) => app(c, "I", "art", gcMsg(c, "Background young")) },
    { id: "gc-background-full", tier: 3, line: (c) => app(c, "I", "art", gcMsg(c, "Background")) },
    { id: "gc-explicit", tier: 3, line: (c) => app(c, "I", "art", gcMsg(c, "Explicit")) },
    { id: "okhttp-get", tier: 1, line: (c) => app(c, "D", "OkHttp", `--> GET ${c.once("url", () => okUrl(c))}`) },
    { id: "okhttp-post", tier: 2, line: (c) => app(c, "D", "OkHttp", `--> POST ${c.once("url", () => okUrl(c))} (${int(c.r, 20, 4000)}-byte body)`) },
    { id: "okhttp-response", follow: { after: { "okhttp-get": 0.97, "okhttp-post": 0.95 }, delay: [30, 2500], oneOf: "outcome" }, line: (c) => (app(c, "D", "OkHttp", `<-- ${pick(c.r, [200, 200, 200, 200, 201, 304, 401, 404, 500])} ${c.once("url", () => okUrl(c))} (${Math.round(c.t - c.once("t0", () => c.t))}ms, ${int(c.r, 2, 90_000)}-byte body)`)) },
    { id: "okhttp-timeout", follow: { after: { "okhttp-get": 0.7, "okhttp-post": 0.8 }, delay: [10_000, 10_050], oneOf: "outcome" }, line: (c) => app(c, "D", "OkHttp", `<-- HTTP FAILED: java.net.SocketTimeoutException: timeout`) },
    { id: "okhttp-unknown-host", tier: 3, burst: [5, 3000], line: (c) => app(c, "D", "OkHttp", `<-- HTTP FAILED: java.net.UnknownHostException: Unable to resolve host "api.shopfront.example": No address associated with hostname`) },
    { id: "fatal-exception", tier: 4, line: (c) => app(c, "E", "AndroidRuntime", `FATAL EXCEPTION: main`, true) },
    { id: "fatal-process", follow: { after: { "fatal-exception": 1 }, delay: [0, 0.5] }, line: (c) => app(c, "E", "AndroidRuntime", `Process: ${APP}, PID: ${appPid(c)}`, true) },
    { id: "fatal-cause", follow: { after: { "fatal-process": 1 }, delay: [0, 0.5] }, line: (c) => app(c, "E", "AndroidRuntime", `java.lang.IllegalStateException: Fragment CartFragment{${hex(c.r, 7)}} (${uuid(c.r)}) not attached to a context.`, true) },
    { id: "anr", tier: 4, line: (c) => { const a = pick(c.r, ACTIVITIES); return sysSrv(c, "E", "ActivityManager", `ANR in ${APP} (${APP}/${a})`); } },
    { id: "file-not-found", tier: 3, line: (c) => app(c, "W", "System.err", `java.io.FileNotFoundException: /data/user/0/${APP}/cache/image_manager_disk_cache/${hex(c.r, 64)}.0: open failed: ENOENT (No such file or directory)`) },
  ],
};

const SYSTEMS: Sys[] = [SSHD, NGINX, POSTGRES, KUBELET, SPRING, NODE, REDIS, SYSTEMD, HAPROXY, KAFKA, HDFS, CASSANDRA, ANDROID];

// ─── planning: counts, times, episodes ───────────────────────────────────────

interface Ev { t: number; us: number; sys: Sys; tpl: Tpl; chain: Map<string, unknown>; cluster: Map<string, unknown> | null; seq: number }

function plan(): Ev[] {
  const r = prng(SEED);
  const events: Ev[] = [];
  const followers = new Map<string, Tpl[]>();
  const key = (s: Sys, id: string) => `${s.name}:${id}`;
  for (const s of SYSTEMS) {
    const ids = new Set(s.templates.map((t) => t.id));
    for (const t of s.templates) {
      if (!t.tier && !t.follow) throw new Error(`${key(s, t.id)}: neither tier nor follow`);
      for (const parent of Object.keys(t.follow?.after ?? {})) {
        if (!ids.has(parent)) throw new Error(`${key(s, t.id)} follows unknown ${parent}`);
        const k = key(s, parent);
        followers.set(k, [...(followers.get(k) ?? []), t]);
      }
    }
  }
  const add = (sys: Sys, tpl: Tpl, t: number, chain: Map<string, unknown>, cluster: Map<string, unknown> | null): Ev => {
    const ev: Ev = { t, us: int(r, 0, 999), sys, tpl, chain, cluster, seq: events.length };
    events.push(ev);
    return ev;
  };
  const spawn = (parent: Ev, depth: number) => {
    if (depth > 40) return;
    const taken = new Set<string>();
    for (const f of followers.get(key(parent.sys, parent.tpl.id)) ?? []) {
      if (f.follow!.oneOf && taken.has(f.follow!.oneOf)) continue;
      if (r() >= f.follow!.after[parent.tpl.id]) continue;
      if (f.follow!.oneOf) taken.add(f.follow!.oneOf);
      const [lo, hi] = f.follow!.delay;
      spawn(add(parent.sys, f, parent.t + lo + r() * (hi - lo), parent.chain, parent.cluster), depth + 1);
    }
  };
  const newChain = (sys: Sys, t: number, host?: string) => new Map<string, unknown>([["host", host ?? pick(r, sys.hosts)], ["t0", t]]);

  // rank each system's head templates: tier first, random within a tier
  const heads: { sys: Sys; tpl: Tpl; n: number }[] = [];
  for (const sys of SYSTEMS) {
    const ranked = sys.templates.filter((t) => t.tier).map((tpl) => ({ tpl, u: r() }));
    ranked.sort((a, b) => a.tpl.tier! - b.tpl.tier! || a.u - b.u);
    ranked.forEach(({ tpl }, i) => heads.push({ sys, tpl, n: tpl.tier === 4 ? int(r, 1, 3) : Math.max(3, Math.round(sys.volume * Math.pow(i + 1, -ZIPF_S))) }));
  }
  for (const { sys, tpl, n } of heads) {
    if (tpl.burst) {
      const [meanSize, meanGap] = tpl.burst;
      let left = n;
      while (left > 0) {
        const size = Math.min(left, 1 + Math.floor(exp(r, meanSize - 1)));
        left -= size;
        const host = pick(r, sys.hosts);
        const cluster = new Map<string, unknown>([["host", host]]);
        let t = r() * WINDOW_MS;
        for (let i = 0; i < size; i++) {
          spawn(add(sys, tpl, t, newChain(sys, t, host), cluster), 0);
          t += exp(r, meanGap);
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        let t = r() * WINDOW_MS;
        if (tpl.align) t = Math.floor(t / tpl.align) * tpl.align + int(r, 0, 900);
        spawn(add(sys, tpl, t, newChain(sys, t), null), 0);
      }
    }
  }
  // a follower that a low probability left without any line gets one, after its first parent
  for (const sys of SYSTEMS) for (const tpl of sys.templates) {
    if (!tpl.follow || events.some((e) => e.tpl === tpl)) continue;
    const parent = events.find((e) => e.sys === sys && e.tpl.id in tpl.follow!.after);
    if (!parent) continue;
    const [lo, hi] = tpl.follow.delay;
    spawn(add(sys, tpl, parent.t + lo + r() * (hi - lo), parent.chain, parent.cluster), 0);
  }
  events.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return events;
}

// ─── rendering ───────────────────────────────────────────────────────────────

function memo<T>(m: Map<string, unknown>, k: string, gen: () => T): T {
  if (!m.has(k)) m.set(k, gen());
  return m.get(k) as T;
}

function render(events: Ev[]): { content: string; group: string; sys: string }[] {
  const r = prng(SEED + 1);
  const out: { content: string; group: string; sys: string }[] = [];
  for (const ev of events) {
    const c: Ctx = {
      r,
      t: ev.t,
      us: ev.us,
      host: ev.chain.get("host") as string,
      once: (k, gen) => memo(ev.chain, k, gen),
      sticky: (k, gen) => memo(ev.cluster ?? ev.chain, k, gen),
    };
    const line = ev.tpl.line(c);
    if (line === null) continue;
    if (line.includes("\n")) throw new Error(`${ev.sys.name}:${ev.tpl.id} produced a multi-line record`);
    out.push({ content: line, group: `${ev.sys.name}:${ev.tpl.id}`, sys: ev.sys.name });
  }
  return out;
}

// ─── main: write, check, summarise ───────────────────────────────────────────

function main() {
  for (const u of [...USERS, ...BAD_USERS, "root"]) if (!/^[a-z]+$/.test(u)) throw new Error(`user name ${u} is not letters only`);
  const seen = new Set<string>();
  for (const s of SYSTEMS) for (const t of s.templates) {
    const g = `${s.name}:${t.id}`;
    if (seen.has(g)) throw new Error(`duplicate template ${g}`);
    seen.add(g);
  }

  const lines = render(plan());
  const width = Math.max(4, String(lines.length).length);
  const text = lines
    .map((l, i) => `{"id": ${JSON.stringify(`L${String(i + 1).padStart(width, "0")}`)}, "source_product": "logs", "source_type": "log", "content": ${JSON.stringify(l.content)}, "group": ${JSON.stringify(l.group)}}`)
    .join("\n") + "\n";
  writeFileSync(OUT, text);

  // checks and summary
  const perGroup = new Map<string, number>();
  for (const l of lines) perGroup.set(l.group, (perGroup.get(l.group) ?? 0) + 1);
  const missing = [...seen].filter((g) => !perGroup.has(g));
  const counts = [...perGroup.values()];
  console.log(`wrote ${OUT}`);
  console.log(`lines: ${lines.length}   groups: ${perGroup.size} of ${seen.size} templates   systems: ${SYSTEMS.length}`);
  console.log(`groups with 1-3 lines: ${counts.filter((n) => n <= 3).length}   with >=100 lines: ${counts.filter((n) => n >= 100).length}   largest: ${Math.max(...counts)}`);
  console.log("system       templates  groups   lines");
  for (const s of SYSTEMS) {
    const gs = [...perGroup.entries()].filter(([g]) => g.startsWith(`${s.name}:`));
    console.log(`${s.name.padEnd(12)} ${String(s.templates.length).padStart(9)} ${String(gs.length).padStart(7)} ${String(gs.reduce((a, [, n]) => a + n, 0)).padStart(7)}`);
  }
  console.log("top groups: " + [...perGroup.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([g, n]) => `${g}=${n}`).join(", "));
  if (missing.length) console.log(`WARNING: templates with no line: ${missing.join(", ")}`);
}

main();
