/**
 * GitHub's own request-body schemas, for the local forge and for tests: the
 * REST description in @octokit/openapi (`generated/api.github.com.json`,
 * OpenAPI 3.0) checked with ajv.
 *
 * Contract:
 * - `validateRequestBody(method, pathTemplate, body)` → `{ ok: true }` or
 *   `{ ok: false, errors }`. `pathTemplate` is the OpenAPI path key exactly
 *   (e.g. `/repos/{owner}/{repo}/pulls`). An operation without a request
 *   body accepts anything; an unknown operation throws (a forge bug, not a
 *   client's). Every failure increments `validationFailures()`.
 * - `validateResponseBody(method, pathTemplate, status, body)` does the same
 *   against the documented response (tests use it on the forge's answers).
 * - The description is read once, on first use (13 MB); each operation's
 *   schema is compiled on first use and cached.
 * - OpenAPI 3.0 is turned into JSON Schema before compiling: `nullable: true`
 *   adds `null` to `type` (and to `enum`), or wraps an untyped schema in
 *   `anyOf [schema, {type: null}]`; `$ref`s to `#/components/...` are resolved
 *   by embedding the referenced components (transitively) in the compiled
 *   root. Formats: `date-time` is checked (one linear regex); the others
 *   (`uri`, `repo.nwo`, `int64`, `binary`, …) are accepted as given.
 * - ajv runs with `strict: false` and `allErrors: false` (stops at the first
 *   error: one pass over the body). Schema `pattern`s are GitHub's; none of
 *   the bodies the local forge serves uses one.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

export interface BodyError {
  /** JSON pointer of the offending value ("" for the body itself) */
  field: string;
  /** GitHub's codes: missing_field, invalid */
  code: "missing_field" | "invalid";
  message: string;
}

export type BodyCheck = { ok: true } | { ok: false; errors: BodyError[] };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface OpenApi {
  paths: Record<string, Record<string, JsonObject>>;
  components: Record<string, Record<string, Json>>;
}

let spec: OpenApi | null = null;
let failures = 0;
const compiled = new Map<string, ValidateFunction | null>();

const DATE_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:?[0-9]{2})$/;

const ajv = new Ajv({ strict: false, allErrors: false, logger: false, validateFormats: true });
ajv.addFormat("date-time", (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)));
const knownFormats = new Set(["date-time"]);

/** The description, parsed once. */
export function openApi(): OpenApi {
  if (!spec) {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve("@octokit/openapi/package.json"));
    spec = JSON.parse(readFileSync(join(dir, "generated", "api.github.com.json"), "utf8")) as OpenApi;
  }
  return spec;
}

/** How many bodies failed validation since start (or since `resetValidationFailures`). */
export function validationFailures(): number {
  return failures;
}

export function resetValidationFailures(): void {
  failures = 0;
}

function operation(method: string, pathTemplate: string): JsonObject {
  const item = openApi().paths[pathTemplate];
  const op = item?.[method.toLowerCase()];
  if (!op) throw new Error(`openapi: no operation ${method.toUpperCase()} ${pathTemplate}`);
  return op;
}

function resolveRef(ref: string): Json {
  const parts = ref.split("/");
  if (parts[0] !== "#" || parts[1] !== "components" || parts.length !== 4) throw new Error(`openapi: unsupported $ref ${ref}`);
  const target = openApi().components[parts[2]!]?.[parts[3]!];
  if (target === undefined) throw new Error(`openapi: dangling $ref ${ref}`);
  return target;
}

/** The operation's JSON request-body schema (after following a requestBody $ref), or null. */
export function requestBodySchema(method: string, pathTemplate: string): Json | null {
  let body = operation(method, pathTemplate).requestBody as JsonObject | undefined;
  if (body && typeof body.$ref === "string") body = resolveRef(body.$ref) as JsonObject;
  const content = body?.content as JsonObject | undefined;
  const json = content?.["application/json"] as JsonObject | undefined;
  return json?.schema ?? null;
}

/** The documented examples of the request body (`examples.*.value`, `$ref`s followed). */
export function requestBodyExamples(method: string, pathTemplate: string): Json[] {
  const body = operation(method, pathTemplate).requestBody as JsonObject | undefined;
  const json = (body?.content as JsonObject | undefined)?.["application/json"] as JsonObject | undefined;
  const examples = (json?.examples ?? {}) as JsonObject;
  const out: Json[] = [];
  for (const ex of Object.values(examples)) {
    const e = (ex && typeof ex === "object" && !Array.isArray(ex) && typeof ex.$ref === "string" ? resolveRef(ex.$ref) : ex) as JsonObject;
    if (e && "value" in e) out.push(e.value);
  }
  return out;
}

/** OpenAPI 3.0 → JSON Schema for one node (a copy); collects the `$ref`s and formats it meets. */
function toJsonSchema(node: Json, refs: Set<string>, formats: Set<string>): Json {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, refs, formats));
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "example" || k === "examples" || k === "description" || k === "nullable") continue;
    if (k === "$ref" && typeof v === "string") refs.add(v);
    if (k === "format" && typeof v === "string") formats.add(v);
    // enum/const/default hold values, not schemas
    out[k] = k === "enum" || k === "const" || k === "default" ? v : toJsonSchema(v, refs, formats);
  }
  if (node.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    if (Array.isArray(out.type)) {
      if (!out.type.includes("null")) out.type = [...out.type, "null"];
      return out;
    }
    return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

/** The operation's JSON response schema for `status` (after following a response $ref), or null. */
export function responseSchema(method: string, pathTemplate: string, status: number): Json | null {
  const responses = operation(method, pathTemplate).responses as JsonObject | undefined;
  let response = responses?.[String(status)] as JsonObject | undefined;
  if (response && typeof response.$ref === "string") response = resolveRef(response.$ref) as JsonObject;
  const json = (response?.content as JsonObject | undefined)?.["application/json"] as JsonObject | undefined;
  return json?.schema ?? null;
}

function compile(method: string, pathTemplate: string, status?: number): ValidateFunction | null {
  const key = `${method.toUpperCase()} ${pathTemplate}${status === undefined ? "" : ` -> ${status}`}`;
  if (compiled.has(key)) return compiled.get(key)!;
  const schema = status === undefined ? requestBodySchema(method, pathTemplate) : responseSchema(method, pathTemplate, status);
  if (schema === null) {
    compiled.set(key, null);
    return null;
  }
  const formats = new Set<string>();
  const pending = new Set<string>();
  const root = toJsonSchema(schema, pending, formats);
  const components: Record<string, JsonObject> = {};
  const done = new Set<string>();
  while (pending.size > 0) {
    const ref = pending.values().next().value as string;
    pending.delete(ref);
    if (done.has(ref)) continue;
    done.add(ref);
    const [, , kind, name] = ref.split("/");
    const found = new Set<string>();
    (components[kind!] ??= {})[name!] = toJsonSchema(resolveRef(ref), found, formats);
    for (const r of found) if (!done.has(r)) pending.add(r);
  }
  for (const f of formats) {
    if (!knownFormats.has(f)) {
      ajv.addFormat(f, true);
      knownFormats.add(f);
    }
  }
  // the wrapper keeps `#/components/...` resolvable against the compiled root
  const validate = ajv.compile({ allOf: [root], components } as object);
  compiled.set(key, validate);
  return validate;
}

function toBodyError(e: ErrorObject): BodyError {
  if (e.keyword === "required") {
    const missing = String((e.params as { missingProperty?: string }).missingProperty ?? "");
    return { field: `${e.instancePath}/${missing}`, code: "missing_field", message: `${e.instancePath || "body"} must have required property "${missing}"` };
  }
  return { field: e.instancePath, code: "invalid", message: `${e.instancePath || "body"} ${e.message ?? "is invalid"}` };
}

/**
 * Checks a response body against GitHub's response schema for that status
 * (for tests: the local forge's answers are shaped like GitHub's). Does not
 * count towards `validationFailures()`.
 */
export function validateResponseBody(method: string, pathTemplate: string, status: number, body: unknown): BodyCheck {
  const validate = compile(method, pathTemplate, status);
  if (!validate || validate(body)) return { ok: true };
  return { ok: false, errors: (validate.errors ?? []).slice(0, 10).map(toBodyError) };
}

export function validateRequestBody(method: string, pathTemplate: string, body: unknown): BodyCheck {
  const validate = compile(method, pathTemplate);
  if (!validate || validate(body)) return { ok: true };
  failures++;
  return { ok: false, errors: (validate.errors ?? []).slice(0, 10).map(toBodyError) };
}
