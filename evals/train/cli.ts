/** `npm run train -- <model> [options]`: trains a model the offline faces ship. Models: safety. */
import { trainSafety } from "./safety-model";

const [model, ...rest] = process.argv.slice(2);
const models: Record<string, (argv: string[]) => Promise<unknown>> = { safety: trainSafety };
const run = model ? models[model] : undefined;
if (!run) {
  console.error(`usage: npm run train -- <${Object.keys(models).join("|")}> [options]`);
  process.exit(2);
}
await run(rest);
