/**
 * Where a retrain of the learned safety tier starts from. Its public training
 * texts are not redistributed with this repository (evals/data/safety-train/
 * README.md), so on a fresh clone a retrain from zero would learn only the
 * project's own files and forget everything the shipped model knows. Starting
 * from a model instead (`--from shipped` or `--from FILE.ts|.json`), the
 * trainer begins at its weights and pulls every weight back towards them
 * (an L2 prior around the start, not around zero): the new texts move the
 * buckets they touch, the rest of the model stays as shipped.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { decodeModel, type SafetyModelFile } from "../../workers/safety/learned";
import { SAFETY_MODEL } from "../../workers/safety/model-weights";

export interface WarmStart {
  /** the model's name, e.g. `ngram17-157a5997` */
  version: string;
  /** dequantized weights: the start and the prior's centre */
  w: Float64Array;
  bias: number;
  dropAt: number;
  uncertainAt: number;
}

/** `shipped`, a weights module written by the trainer (`.ts`), or the model as JSON. */
export async function loadWarmStart(from: string): Promise<WarmStart> {
  const file = from === "shipped" ? SAFETY_MODEL : await readModelFile(from);
  const m = decodeModel(file);
  const w = new Float64Array(m.weights.length);
  for (let i = 0; i < w.length; i++) w[i] = m.weights[i] * m.scale;
  return { version: m.version, w, bias: m.bias, dropAt: m.dropAt, uncertainAt: m.uncertainAt };
}

async function readModelFile(path: string): Promise<SafetyModelFile> {
  if (path.endsWith(".json")) return JSON.parse(readFileSync(path, "utf8")) as SafetyModelFile;
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { SAFETY_MODEL?: SafetyModelFile };
  if (!mod.SAFETY_MODEL) throw new Error(`${path} exports no SAFETY_MODEL`);
  return mod.SAFETY_MODEL;
}
