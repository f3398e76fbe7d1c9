// The busy time of the test calendars read with ical.js (Mozilla's parser, Thunderbird's),
// compared with what busy_from_ics gave for them.
//
//   node tests/clients/check_busy.mjs DIR
//
// DIR holds NAME.ics and NAME.json pairs (tests/clients/make_busy.py writes them). Each
// calendar is expanded here over the JSON's window by ical.js's own recurrence engine
// (RRULE, EXDATE, RDATE, RECURRENCE-ID exceptions), its zones read from the file's own
// VTIMEZONE (Outlook's "Eastern Standard Time" included). What a diary must decide on top
// is written out here again, independently of the Python code: TRANSP:TRANSPARENT and
// STATUS:CANCELLED (of the occurrence, so of a moved instance too) block nothing, nor does
// an occurrence that takes no time; floating times and all-day dates are the clinic's wall
// clock (the JSON's zone, whose VTIMEZONE the JSON carries, since ical.js has no zone
// database); a file with X-WR-TIMEZONE has its UTC times moved to that zone before the
// expansion, as Google means them; VFREEBUSY periods block unless FBTYPE=FREE. Every
// occurrence that overlaps the window counts, whole. Exits 1 listing every calendar whose
// intervals differ, 2 when DIR holds no calendar.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ICAL from "ical.js";

const { version } = JSON.parse(
  readFileSync(new URL("./node_modules/ical.js/package.json", import.meta.url), "utf8"),
);
const dir = process.argv[2];
if (!dir) {
  console.error("usage: node check_busy.mjs DIR");
  process.exit(2);
}

function clinicZone(doc) {
  const zone = new ICAL.Timezone(new ICAL.Component(ICAL.parse(doc.vtimezone)));
  if (!ICAL.TimezoneService.has(doc.zone)) ICAL.TimezoneService.register(zone, doc.zone);
  return ICAL.TimezoneService.get(doc.zone);
}

// A time of the file as UNIX seconds: floating and all-day ones on the clinic's clock.
function seconds(time, zone) {
  if (time.isDate || time.zone === ICAL.Timezone.localTimezone || !time.zone) {
    const wall = ICAL.Time.fromData(
      { year: time.year, month: time.month, day: time.day,
        hour: time.isDate ? 0 : time.hour, minute: time.isDate ? 0 : time.minute,
        second: time.isDate ? 0 : time.second, isDate: false },
      zone,
    );
    return wall.toUnixTime();
  }
  return time.toUnixTime();
}

function blocksNothing(component) {
  const transp = String(component.getFirstPropertyValue("transp") ?? "OPAQUE").toUpperCase();
  const status = String(component.getFirstPropertyValue("status") ?? "").toUpperCase();
  return transp === "TRANSPARENT" || status === "CANCELLED";
}

function intervals(root, doc, zone) {
  const [first, last] = doc.window;
  const found = [];
  const google = root.getFirstPropertyValue("x-wr-timezone");
  const vevents = root.getAllSubcomponents("vevent");
  const byUid = new Map();
  for (const component of vevents) {
    const uid = component.getFirstPropertyValue("uid");
    if (!byUid.has(uid)) byUid.set(uid, []);
    byUid.get(uid).push(component);
  }
  for (const components of byUid.values()) {
    const master = components.find((c) => !c.hasProperty("recurrence-id")) ?? components[0];
    const event = new ICAL.Event(master);
    for (const other of components) {
      if (other !== master) event.relateException(new ICAL.Event(other));
    }
    if (google) {
      // Google's UTC times mean the calendar's zone: the recurrence runs on its clock.
      if (google !== doc.zone) throw new Error(`X-WR-TIMEZONE ${google} is not ${doc.zone}`);
      for (const e of [event, ...Object.values(event.exceptions)]) {
        if (e.startDate.zone === ICAL.Timezone.utcTimezone) e.startDate = e.startDate.convertToZone(zone);
        if (e.endDate.zone === ICAL.Timezone.utcTimezone) e.endDate = e.endDate.convertToZone(zone);
      }
    }
    const iterator = event.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) {
      const details = event.getOccurrenceDetails(next);
      const start = seconds(details.startDate, zone);
      const end = seconds(details.endDate, zone);
      if (seconds(next, zone) >= last && start >= last) break;
      if (blocksNothing(details.item.component) || end <= start) continue;
      if (start < last && end > first) found.push([start, end]);
      if (!event.isRecurring()) break;
    }
  }
  for (const freebusy of root.getAllSubcomponents("vfreebusy")) {
    for (const prop of freebusy.getAllProperties("freebusy")) {
      if (String(prop.getParameter("fbtype") ?? "BUSY").toUpperCase() === "FREE") continue;
      for (const period of prop.getValues()) {
        const start = seconds(period.start, zone);
        const end = seconds(period.getEnd(), zone);
        if (start < end && start < last && end > first) found.push([start, end]);
      }
    }
  }
  return found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

const names = readdirSync(dir).filter((n) => n.endsWith(".ics")).sort();
const problems = [];
let blocks = 0;
for (const name of names) {
  const base = name.slice(0, -4);
  const doc = JSON.parse(readFileSync(join(dir, `${base}.json`), "utf8"));
  const zone = clinicZone(doc);
  const root = new ICAL.Component(ICAL.parse(readFileSync(join(dir, name), "utf8")));
  const read = intervals(root, doc, zone);
  const iso = (pairs) => pairs.map(([s, e]) => `${new Date(s * 1000).toISOString()}/${new Date(e * 1000).toISOString()}`);
  if (JSON.stringify(read) !== JSON.stringify(doc.busy)) {
    problems.push(`${base}: ical.js reads\n  ${iso(read).join("\n  ")}\nbusy_from_ics gave\n  ${iso(doc.busy).join("\n  ")}`);
  }
  blocks += read.length;
}
if (names.length === 0) {
  console.error(`no .ics file in ${dir}`);
  process.exit(2);
}
if (problems.length) {
  console.error(problems.join("\n"));
  console.error(`ical.js ${version}: ${problems.length} of ${names.length} calendars differ`);
  process.exit(1);
}
console.log(`ical.js ${version}: the ${blocks} busy intervals of ${names.length} calendars agree with busy_from_ics`);
