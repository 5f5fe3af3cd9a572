// Answer validity questions with ajv, one process for many messages.
// Usage: node ajv_server.mjs SCHEMA_DIR   (reads SCHEMA_DIR/bundled/<profile>/<variant>.json)
// stdin: one JSON line per question {"schema": "<profile>/<variant>", "data": ...}
// stdout: one line per answer: "true", "false", or "error <message>".
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Ajv from "ajv";

const root = join(process.argv[2], "bundled");
const ajv = new Ajv({ strict: true, allErrors: false });
const validators = new Map();
for (const profile of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
  for (const file of readdirSync(join(root, profile.name)).filter((f) => f.endsWith(".json"))) {
    const schema = JSON.parse(readFileSync(join(root, profile.name, file), "utf8"));
    validators.set(`${profile.name}/${file.slice(0, -".json".length)}`, ajv.compile(schema));
  }
}
process.stdout.write(`ready ${validators.size}\n`);
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  try {
    const question = JSON.parse(line);
    const validate = validators.get(question.schema);
    process.stdout.write(validate ? `${validate(question.data)}\n` : `error unknown schema ${question.schema}\n`);
  } catch (error) {
    process.stdout.write(`error ${error.message}\n`);
  }
});
