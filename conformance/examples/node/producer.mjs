// A producer written in JavaScript, attached to the conformance suite with --exec (conformance/PROTOCOL.md):
//   notify-schemas conformance --exec "node conformance/examples/node/producer.mjs"
// It reads one intent per line on stdin and writes the notification it would send, one JSON line per intent.
// The payload keys it may send come from the published bundled schema of the variant, as any tool can read them.
// The schema folder is NOTIFY_SCHEMAS_DIR, which the suite sets, or else what `notify-schemas schemas path` prints:
// the same file runs from a checkout or from the installed package.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = process.env.NOTIFY_SCHEMAS_DIR || execFileSync("notify-schemas", ["schemas", "path"], { encoding: "utf8" }).trim();
const schemas = join(root, "bundled");
const allowed = new Map();

function payloadKeys(profile, eventType, priority) {
  const name = `${profile}/${eventType}.${priority}`;
  if (!allowed.has(name)) {
    const schema = JSON.parse(readFileSync(join(schemas, profile, `${eventType}.${priority}.json`), "utf8"));
    const keys = new Set();
    const visit = (node) => {
      if (node.$ref) return visit(schema.definitions[node.$ref.replace("#/definitions/", "")]);
      (node.allOf || []).forEach(visit);
      for (const [key, sub] of Object.entries(node.properties || {})) if (sub !== false) keys.add(key);
    };
    visit(schema.properties.payload);
    allowed.set(name, keys);
  }
  return allowed.get(name);
}

function timestamp() {
  // oslo.messaging's form: UTC, a space, microseconds unless zero, no zone.
  const now = new Date();
  const text = now.toISOString().replace("T", " ").replace("Z", "");
  const millis = now.getUTCMilliseconds();
  return millis === 0 ? text.slice(0, 19) : `${text.slice(0, 19)}.${String(millis).padStart(3, "0")}000`;
}

function notify(intent) {
  const { record, profile } = intent;
  let payload;
  if (Object.keys(record).length === 1 && "text" in record) payload = record.text;
  else if (profile === "seed" && intent.event_type === "image.delete" && intent.priority === "INFO") payload = record.id;
  else {
    const keys = payloadKeys(profile, intent.event_type, intent.priority);
    payload = Object.fromEntries(Object.entries(record).filter(([key]) => keys.has(key)));
  }
  return {
    message_id: randomUUID(),
    publisher_id: intent.publisher_id ?? "image.node-producer",
    event_type: intent.event_type,
    priority: intent.priority,
    payload,
    timestamp: timestamp(),
  };
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => process.stdout.write(JSON.stringify(notify(JSON.parse(line))) + "\n"));
