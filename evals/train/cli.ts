/** `npm run train -- <model> [options]`: trains a model the offline faces ship. Models: safety, triage. */
import { trainSafety, TrainUsageError } from "./safety-model";
import { trainTriage } from "./triage-model";

const [model, ...rest] = process.argv.slice(2);
const models: Record<string, (argv: string[]) => Promise<unknown>> = { safety: trainSafety, triage: trainTriage };
const run = model ? models[model] : undefined;
if (!run) {
  console.error(`usage: npm run train -- <${Object.keys(models).join("|")}> [options]`);
  process.exit(2);
}
try {
  await run(rest);
} catch (e) {
  if (!(e instanceof TrainUsageError)) throw e;
  console.error(e.message);
  process.exit(2);
}
