// Every session of every plan read with ical.js (Mozilla's parser, Thunderbird's) at the
// instants of the plan's JSON.
//
//   node tests/clients/check_ical.mjs DIR
//
// DIR holds NAME.ics and NAME.json pairs (tests/clients/make_plans.py writes them). Each
// calendar is parsed alone, through its own VTIMEZONE (no zone is registered with
// ical.js's TimezoneService). A session's VEVENT (the ones with X-MESOTHERAPY-STATUS,
// in the order of the plan's sessions) must start and end at the JSON's instants, to
// the second; the maintenance event must fall on the day its window opens. A booked plan
// (NAME.expect.json beside it) must name the clinic as ORGANIZER (its value and CN) in
// every session's event, and each session's practitioner and room as ATTENDEEs (value,
// CN, CUTYPE, ROLE) and its room in LOCATION, as the expectation (made from the diary)
// says. Exits 1 listing every mismatch, 2 when DIR holds no plan.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ICAL from "ical.js";

const { version } = JSON.parse(
  readFileSync(new URL("./node_modules/ical.js/package.json", import.meta.url), "utf8"),
);
const dir = process.argv[2];
if (!dir) {
  console.error("usage: node check_ical.mjs DIR");
  process.exit(2);
}

const names = readdirSync(dir).filter((n) => n.endsWith(".ics")).sort();
const problems = [];
let sessions = 0;
let booked = 0;
let attendees = 0;

// A booked session's ORGANIZER, LOCATION and ATTENDEEs as ical.js reads them.
function people(event) {
  const organizer = event.getFirstProperty("organizer");
  return {
    organizer: organizer && { value: organizer.getFirstValue(), cn: organizer.getParameter("cn") },
    location: event.getFirstPropertyValue("location"),
    attendees: event.getAllProperties("attendee").map((p) => ({
      value: p.getFirstValue(),
      cn: p.getParameter("cn"),
      cutype: p.getParameter("cutype"),
      role: p.getParameter("role"),
    })),
  };
}

for (const name of names) {
  const base = name.slice(0, -4);
  const plan = JSON.parse(readFileSync(join(dir, `${base}.json`), "utf8"));
  const root = new ICAL.Component(ICAL.parse(readFileSync(join(dir, name), "utf8")));
  const vevents = root.getAllSubcomponents("vevent");
  const events = vevents.filter((e) => e.hasProperty("x-mesotherapy-status"));
  if (events.length !== plan.sessions.length) {
    problems.push(`${base}: ${events.length} session events, ${plan.sessions.length} sessions`);
    continue;
  }
  plan.sessions.forEach((session, i) => {
    const event = new ICAL.Event(events[i]);
    for (const [field, time] of [["start", event.startDate], ["end", event.endDate]]) {
      const read = time.toUnixTime();
      const want = Date.parse(session[field]) / 1000;
      if (read !== want) {
        const got = new Date(read * 1000).toISOString();
        problems.push(`${base}: session ${session.index} ${field} ${time} read as ${got}, JSON ${session[field]}`);
      }
    }
    sessions += 1;
  });
  const expectFile = join(dir, `${base}.expect.json`);
  if (existsSync(expectFile)) {
    const expect = JSON.parse(readFileSync(expectFile, "utf8"));
    booked += 1;
    expect.sessions.forEach((want, i) => {
      const read = people(events[i]);
      const wanted = { organizer: expect.organizer, location: want.location, attendees: want.attendees };
      if (JSON.stringify(read) !== JSON.stringify(wanted)) {
        problems.push(`${base}: session ${i + 1} read as ${JSON.stringify(read)}, expected ${JSON.stringify(wanted)}`);
      }
      attendees += read.attendees.length;
    });
  }
  const others = vevents.filter((e) => !e.hasProperty("x-mesotherapy-status"));
  const opens = plan.maintenance.map((w) => w.opens);
  const days = others.map((e) => new ICAL.Event(e).startDate.toString());
  if (JSON.stringify(days) !== JSON.stringify(opens)) {
    problems.push(`${base}: maintenance on ${days}, windows open on ${opens}`);
  }
}

if (names.length === 0) {
  console.error(`no .ics file in ${dir}`);
  process.exit(2);
}
if (problems.length) {
  console.error(problems.join("\n"));
  console.error(`ical.js ${version}: ${problems.length} mismatches in ${names.length} calendars`);
  process.exit(1);
}
if (booked === 0) {
  console.error(`no booked plan (NAME.expect.json) in ${dir}`);
  process.exit(2);
}
console.log(`ical.js ${version}: ${sessions} sessions of ${names.length} calendars read at the JSON's instants`);
console.log(`ical.js ${version}: ORGANIZER, LOCATION and ${attendees} ATTENDEEs of ${booked} booked calendars read as their diaries say`);
