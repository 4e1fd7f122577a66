/** The `POST /v1/signals` request body, validated with zod. */
import { z } from "zod";
import { hasVisibleText } from "./control-chars";
import { PAYLOAD_SOURCES, renderPayload, TypedPayload } from "./typed-payloads";

export const MAX_BATCH = 500;
/** bytes of one signal's content (UTF-8) */
export const MAX_CONTENT_BYTES = 64 * 1024;
/** bytes of one request body */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export const BLANK = "must not be empty or blank (only whitespace or control characters)";

export const SignalInput = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:@-]+$/, "letters, digits and . _ : @ - only")
    .optional(),
  source_product: z.string().trim().min(1).max(64),
  source_type: z.string().trim().min(1).max(64),
  content: z.string().min(1, "must not be empty"),
  weight: z.number().positive().max(1000).optional(),
  timestamp: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type SignalInput = z.infer<typeof SignalInput>;

/**
 * A signal as `POST /v1/signals` takes it: text `content`, or a typed
 * `payload` (experiment result, replay finding) rendered into content.
 */
export const SignalRequest = SignalInput.extend({
  source_product: z.string().trim().min(1).max(64).optional(),
  source_type: z.string().trim().min(1).max(64).optional(),
  // whitespace or control characters only would make a report titled ""
  content: z.string().refine(hasVisibleText, BLANK).optional(),
  payload: TypedPayload.optional(),
})
  .refine((s) => s.content !== undefined || s.payload !== undefined, { message: "content or payload is required", path: ["content"] })
  .refine((s) => s.payload !== undefined || (s.source_product && s.source_type), {
    message: "source_product and source_type are required without a payload",
    path: ["source_product"],
  })
  .transform((s): SignalInput => {
    const { payload, ...rest } = s;
    if (!payload) return rest as SignalInput;
    const defaults = PAYLOAD_SOURCES[payload.kind];
    return {
      ...rest,
      source_product: rest.source_product ?? defaults.source_product,
      source_type: rest.source_type ?? defaults.source_type,
      content: rest.content ? `${rest.content}\n${renderPayload(payload)}` : renderPayload(payload),
      metadata: { ...rest.metadata, payload },
    };
  });

export const SignalBatch = z.object({
  signals: z.array(SignalRequest).min(1, "at least one signal").max(MAX_BATCH, `at most ${MAX_BATCH} signals`),
});
export type SignalBatch = z.infer<typeof SignalBatch>;

/** zod issue path → `signals[3].content` */
export function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "") || "body";
}
