// Reads the files named on the command line as the podcast apps' parsers read them, and
// prints one JSON object: for each feed what podcast-partytime and feedsmith made of it,
// for each WebVTT file the errors webvtt-parser found, for each OPML file feedsmith's reading.
// Used by tests/publish/test_apps.py; an exception becomes {"error": ...} for that file.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseFeed as partytime } from "podcast-partytime";
import { parseFeed as feedsmith, parseOpml } from "feedsmith";

const require = createRequire(import.meta.url);
const { WebVTTParser } = require("webvtt-parser");
const entities = require("webvtt-parser/html-entities.json");

function attempt(work) {
  try {
    return work();
  } catch (error) {
    return { error: String(error && error.message ? error.message : error) };
  }
}

const result = {};
for (const path of process.argv.slice(2)) {
  const text = readFileSync(path, "utf-8");
  if (path.endsWith(".vtt")) {
    result[path] = attempt(() => {
      const tree = new WebVTTParser(entities).parse(text, "subtitles");
      return {
        errors: tree.errors.map((e) => ({ line: e.line, col: e.col, message: e.message })),
        cues: tree.cues.map((c) => ({ start: c.startTime, end: c.endTime, text: c.text })),
      };
    });
  } else if (path.endsWith(".opml")) {
    result[path] = attempt(() => ({ feedsmith: parseOpml(text) }));
  } else {
    result[path] = {
      partytime: attempt(() => partytime(text, { allowMissingGuid: false }) ?? { error: "rejected" }),
      feedsmith: attempt(() => feedsmith(text)),
    };
  }
}
process.stdout.write(JSON.stringify(result, (key, value) => (value instanceof Date ? value.toISOString() : value)));
