// Check FHIR R5 bundles with software nobody here wrote.
//
//   npm ci --ignore-scripts --prefix tests/clients/fhir
//   node tests/clients/check_fhir.mjs DIR
//
// Every DIR/*.json bundle is checked:
// 1. against the official R5 JSON schema, openapi/fhir.schema.json of the npm package
//    hl7.fhir.r5.core (HL7's R5 core package), with ajv;
// 2. against every FHIRPath invariant (constraint) of R5 that applies to what it holds: the
//    constraints of each resource's StructureDefinition (dom-6 and the other DomainResource
//    ones, bdl-* of the Bundle, pld-*, cud-*...) and of the data types its elements use
//    (ref-*, rng-*, qty-*, per-*, txt-*...), evaluated with HL7's fhirpath.js and its R5 model.
//    Warnings (dom-6, cnl-0...) count as failures too: the library means to meet them.
// fhirpath.js has no htmlChecks() (txt-1, txt-2): it is given one here that applies the
// narrative rules of R5 (an XHTML div, only the formatting elements R5 allows, no scripts,
// event attributes or external references, some text).
// 3. the references of a clinic's diary, read with fhirpath.js: every Appointment participant
//    that is a Practitioner or a Location, every Slot's schedule and every Schedule's actor
//    names an entry of the same bundle, of that type; and the bundles hold Practitioner,
//    Location, Schedule and Slot resources and booked participants at all.
// Exit status 0 when every bundle passes, 1 otherwise, with one line per failure.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(new URL("./fhir/package.json", import.meta.url));
const Ajv = require("ajv");
const draft6 = require("ajv/dist/refs/json-schema-draft-06.json");
const fhirpath = require("fhirpath");
const r5 = require("fhirpath/fhir-context/r5");
const core = dirname(require.resolve("hl7.fhir.r5.core/package.json"));

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node check_fhir.mjs DIR");
  process.exit(2);
}

// --- The schema -------------------------------------------------------------------------

const schema = JSON.parse(readFileSync(join(core, "openapi", "fhir.schema.json"), "utf8"));
// The schema is draft-06 and carries OpenAPI's `discriminator` (not JSON Schema): strict mode
// off lets ajv ignore that keyword, and nothing else is relaxed.
// Its root names itself with draft-04's `id`, which ajv 8 refuses: the same value as `$id`.
schema.$id = schema.id;
delete schema.id;
// Its decimal pattern has a stray `}` (`{0,9}}`), which a unicode regular expression refuses:
// JavaScript's legacy mode reads it as a literal, as the schema's authors' tools did. (A
// pattern applies to strings only, and FHIR decimals are JSON numbers: it checks nothing.)
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
ajv.addMetaSchema(draft6);
const validate = ajv.compile(schema);

// --- The invariants ---------------------------------------------------------------------

const definitions = new Map();
function definition(type) {
  if (!definitions.has(type)) {
    let sd = null;
    try {
      sd = JSON.parse(readFileSync(join(core, `StructureDefinition-${type}.json`), "utf8"));
    } catch {
      sd = null; // a primitive or a type without a definition file of its own
    }
    definitions.set(type, sd);
  }
  return definitions.get(type);
}

// The constraints that apply to a resource type: [path, key, severity, expression], each
// path a FHIRPath expression from the resource to the elements the constraint holds for.
// Extensions are left out (the library writes none: ext-1 holds of nothing), and a data type
// is not entered again inside itself (Identifier.assigner is a Reference, which has an
// Identifier...).
const skipped = new Set(["BackboneElement", "Element", "Resource", "Extension"]);
function relative(type, stack) {
  const sd = definition(type);
  const found = [];
  if (!sd) return found;
  for (const element of sd.snapshot.element) {
    const rest = element.path.split(".").slice(1);
    if (rest.some((part) => part === "extension" || part === "modifierExtension")) continue;
    const types = (element.type ?? []).map((t) => t.code);
    const last = rest[rest.length - 1] ?? "";
    const paths = last.endsWith("[x]")
      ? types.map((t) => [[...rest.slice(0, -1), last.slice(0, -3) + t[0].toUpperCase() + t.slice(1)], [t]])
      : [[rest, types]];
    for (const [path, pathTypes] of paths) {
      for (const c of element.constraint ?? []) found.push([path, c.key, c.severity, c.expression]);
      if (!path.length) continue;
      for (const t of pathTypes) {
        if (/^[A-Z]/.test(t) && !skipped.has(t) && !stack.includes(t) && stack.length < 4) {
          for (const [inner, ...rule] of relative(t, [...stack, t])) found.push([[...path, ...inner], ...rule]);
        }
      }
    }
  }
  return found;
}
const constraintLists = new Map();
function constraintsOf(type) {
  if (!constraintLists.has(type)) {
    const seen = new Set();
    const list = [];
    for (const [path, key, severity, expression] of relative(type, [type])) {
      const id = `${path.join(".")}|${key}`;
      if (!seen.has(id)) {
        seen.add(id);
        list.push([[type, ...path], key, severity, expression]);
      }
    }
    constraintLists.set(type, list);
  }
  return constraintLists.get(type);
}

const allowed = new Set(
  "a abbr acronym b big blockquote br caption cite code col colgroup dd dfn div dl dt em h1 h2 h3 h4 h5 h6 hr i img li ol p pre q samp small span strong sub sup table tbody td tfoot th thead tr tt ul var".split(" "),
);
// R5's narrative rules (txt-1, txt-2), which fhirpath.js leaves to its caller.
function htmlChecks(inputs) {
  return inputs.map((div) => {
    const text = typeof div === "string" ? div : String(div?.data ?? div);
    if (!/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml"[ >]/.test(text)) return false;
    for (const [, name, attrs] of text.matchAll(/<([A-Za-z][A-Za-z0-9]*)([^>]*)>/g)) {
      if (!allowed.has(name.toLowerCase())) return false;
      if (/\son[a-z]+\s*=/i.test(attrs) || /(href|src)\s*=\s*["']?\s*javascript:/i.test(attrs)) return false;
    }
    return /\S/.test(text.replace(/<[^>]*>/g, ""));
  });
}
const options = {
  traceFn: () => {}, // ref-1 and dom-3 trace what they compare: not worth printing
  userInvocationTable: { htmlChecks: { fn: htmlChecks, arity: { 0: [] } } },
};

// The element paths a resource's JSON holds ("text.div", "action.relatedAction.offsetRange"):
// a constraint on an element that is absent holds of nothing (`all()` of nothing is true), so
// only those on present elements are evaluated.
function present(value, prefix = [], found = new Set()) {
  if (Array.isArray(value)) {
    for (const item of value) present(item, prefix, found);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key === "resourceType") continue;
      const path = [...prefix, key];
      found.add(path.join("."));
      present(item, path, found);
    }
  }
  return found;
}

// fhirpath.js 5 sees xhtml as a type without a value (hasValue() is false for a div), where
// FHIR makes it a primitive: ele-1 on a div is left out, and txt-1/txt-2 check the div.
const notEvaluated = new Set();
function left(path, key, resourceType) {
  const xhtml = path[path.length - 1] === "div" && key === "ele-1";
  if (xhtml) notEvaluated.add(`ele-1 not evaluated on ${resourceType}.${path.slice(1).join(".")} (xhtml)`);
  return xhtml;
}

// rng-2 compares low.lowBoundary() with high.highBoundary(), and fhirpath.js 5 has those for
// decimals and times only, not quantities: a range of quantities is checked with the same
// rule spelled without them (same unit, low at most high).
const standIns = {
  "rng-2": "low.value.empty() or high.value.empty() or (low.code = high.code and low.system = high.system and low.value <= high.value)",
};

const compiled = new Map();
let evaluated = 0;
function check(resource) {
  const failures = [];
  const holds = present(resource);
  for (const [path, key, severity, expression] of constraintsOf(resource.resourceType)) {
    if (path.length > 1 && !holds.has(path.slice(1).join("."))) continue;
    if (left(path, key, resource.resourceType)) continue;
    // Each step a delimited identifier: `div` is also an operator of FHIRPath.
    const steps = [path[0], ...path.slice(1).map((step) => `\`${step}\``)].join(".");
    const whole = path.length === 1 ? `(${expression})` : `${steps}.all(${expression})`;
    let result;
    try {
      if (!compiled.has(whole)) compiled.set(whole, fhirpath.compile(whole, r5, options));
      result = compiled.get(whole)(resource, { resource, rootResource: resource });
      evaluated += 1;
    } catch (error) {
      if (standIns[key] && /Expected a Decimal, Date, DateTime, or Time/.test(error.message)) {
        const spelled = `${steps}.all(${standIns[key]})`;
        result = fhirpath.evaluate(resource, spelled, { resource, rootResource: resource }, r5, options);
        notEvaluated.add(`${key} on ${path.join(".")} (quantities): evaluated as ${standIns[key]}`);
        evaluated += 1;
        if (!(result.length === 1 && result[0] === true)) failures.push(`${key} (${severity}) is not true at ${path.join(".")}: ${standIns[key]}`);
        continue;
      }
      failures.push(`${key} (${severity}) could not be evaluated: ${String(error.message).split("\n")[0]} in ${whole}`);
      continue;
    }
    if (!(result.length === 1 && result[0] === true)) {
      failures.push(`${key} (${severity}) is not true (${JSON.stringify(result)}) at ${path.join(".")}: ${expression}`);
    }
  }
  return failures;
}

// --- The diary's references ----------------------------------------------------------------

const references = { participants: 0, schedules: 0, slots: 0 };
const paths = {
  participants: "Bundle.entry.resource.ofType(Appointment).participant.actor.where(type = 'Practitioner' or type = 'Location')",
  schedules: "Bundle.entry.resource.ofType(Schedule).actor",
  slots: "Bundle.entry.resource.ofType(Slot).schedule",
};
function resolved(bundle) {
  const failures = [];
  const types = new Map((bundle.entry ?? []).map((e) => [e.fullUrl, e.resource.resourceType]));
  for (const [what, path] of Object.entries(paths)) {
    for (const ref of fhirpath.evaluate(bundle, path, null, r5, options)) {
      references[what] += 1;
      const found = types.get(ref.reference);
      if (found === undefined || found !== ref.type) {
        failures.push(`${what}: ${JSON.stringify(ref)} names ${found ?? "no entry"} of the bundle`);
      }
    }
  }
  const slots = fhirpath.evaluate(bundle, "Bundle.entry.resource.ofType(Slot).where(status != 'busy')", null, r5, options);
  if (slots.length) failures.push(`${slots.length} Slot(s) not busy`);
  return failures;
}

// --- Every bundle -------------------------------------------------------------------------

let bad = 0;
let resources = 0;
const kinds = new Set();
const files = readdirSync(dir).filter((name) => name.endsWith(".json")).sort();
for (const name of files) {
  const bundle = JSON.parse(readFileSync(join(dir, name), "utf8"));
  const problems = [];
  if (!validate(bundle)) {
    for (const e of validate.errors.slice(0, 10)) problems.push(`schema: ${e.instancePath} ${e.message}`);
  }
  problems.push(...check(bundle).map((p) => `Bundle: ${p}`));
  problems.push(...resolved(bundle).map((p) => `references: ${p}`));
  for (const [index, entry] of (bundle.entry ?? []).entries()) {
    resources += 1;
    kinds.add(entry.resource.resourceType);
    problems.push(...check(entry.resource).map((p) => `entry[${index}] ${entry.resource.resourceType}: ${p}`));
  }
  if (problems.length) {
    bad += 1;
    for (const p of problems) console.log(`${name}: ${p}`);
  }
}
const invariants = ["Bundle", ...kinds].reduce((n, k) => n + constraintsOf(k).length, 0);
for (const what of [...notEvaluated].sort()) console.log(`note: ${what}`);
console.log(
  `${files.length} bundles, ${resources} resources (${[...kinds].sort().join(", ")}): ` +
    `${bad ? `${bad} failed` : "all valid"} against the R5 JSON schema (hl7.fhir.r5.core ` +
    `${require("hl7.fhir.r5.core/package.json").version}, ajv ${require("ajv/package.json").version}) ` +
    `and the FHIRPath invariants of R5 (${invariants} for these types, ${evaluated} evaluations on present elements; fhirpath.js ${require("fhirpath/package.json").version})`,
);
console.log(
  `diary references: ${references.participants} Practitioner and Location participants, ` +
    `${references.schedules} Schedule actors and ${references.slots} Slot schedules, each an entry of its bundle`,
);
if (!files.length) {
  console.log(`no bundle in ${dir}`);
  process.exit(1);
}
const missing = ["Practitioner", "Location", "Schedule", "Slot"].filter((k) => !kinds.has(k));
if (missing.length || !references.participants || !references.slots || !references.schedules) {
  console.log(`no ${missing.join(", ") || "diary references"} in the bundles: the diary's exports were not checked`);
  process.exit(1);
}
process.exit(bad ? 1 : 0);
