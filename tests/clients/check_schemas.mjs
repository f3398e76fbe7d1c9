// Validates the documents that make_documents.py wrote against the shipped JSON Schemas
// with ajv (draft 2020-12, ajv/dist/2020) and ajv-formats: every document under
// DIR/valid/NAME/ must validate against DIR/schemas/NAME.schema.json, and every one under
// DIR/invalid/NAME/ must not (which proves that formats and patterns are checked at all).
//
//   node tests/clients/check_schemas.mjs DIR
//
// ajv and ajv-formats are found in $SCHEMA_NODE_MODULES, or else in
// tests/clients/schema/node_modules (npm ci --prefix tests/clients/schema).
// Exits 0 when every document is as expected, 1 otherwise; the last line says
// "schemas: N passed, N failed".

import { readdirSync, readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = process.env.SCHEMA_NODE_MODULES ?? join(here, "schema", "node_modules");
const require = createRequire(join(modules, "..", "package.json"));
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const dir = process.argv[2];
if (!dir || !existsSync(join(dir, "schemas"))) {
  console.error("usage: node check_schemas.mjs DIR (the folder make_documents.py wrote)");
  process.exit(2);
}

// strict: an unknown keyword or a schema mistake is an error, not silently ignored;
// strictTuples and strictRequired off: prefixItems with items:false and required keys
// declared in properties are what the schemas mean.
const ajv = new Ajv2020({ strict: true, strictTuples: false, strictRequired: false, allErrors: true });
addFormats(ajv, ["date-time", "date"]);

const readJson = (path) => JSON.parse(readFileSync(path, "utf-8"));
const files = (folder) =>
  existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith(".json")).sort() : [];

let passed = 0;
let failed = 0;
for (const schemaFile of files(join(dir, "schemas"))) {
  const name = schemaFile.replace(/\.schema\.json$/, "");
  const validate = ajv.compile(readJson(join(dir, "schemas", schemaFile)));
  let counted = 0;
  for (const [kind, expected] of [["valid", true], ["invalid", false]]) {
    for (const file of files(join(dir, kind, name))) {
      counted += 1;
      const valid = validate(readJson(join(dir, kind, name, file)));
      if (valid === expected) {
        passed += 1;
      } else {
        failed += 1;
        const why = valid ? "validates, expected invalid" : ajv.errorsText(validate.errors);
        console.error(`${kind}/${name}/${file}: ${why}`);
      }
    }
  }
  if (counted === 0) {
    failed += 1;
    console.error(`${name}: no documents to check`);
  }
  console.log(`${name}: ${counted} documents checked`);
}
if (passed + failed === 0) {
  failed = 1;
  console.error("no schema found");
}
console.log(`schemas: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
