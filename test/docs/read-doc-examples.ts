/**
 * @module Reads every request/response example out of the three editions of
 * the original API docs (../shared/spec/00[0-2]_*.txt). Runs in Node at
 * config time; the examples reach the tests as the DOC_EXAMPLES binding.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import type { DocExample } from "./doc-example";

/** The editions, oldest first (002, 000, 001). */
const EDITIONS = ["002", "000", "001"];

export function specDirectory(root: string): string {
  return path.resolve(root, "..", "shared", "spec");
}

export function readDocExamples(specDir: string): DocExample[] {
  const files = readdirSync(specDir);
  return EDITIONS.flatMap((edition) => {
    const file = files.find((name) => name.startsWith(`${edition}_`));
    if (!file) throw new Error(`edition ${edition} not found in ${specDir}`);
    return parseEdition(edition, readFileSync(path.join(specDir, file), "utf8"));
  });
}

function parseEdition(edition: string, text: string): DocExample[] {
  const examples: DocExample[] = [];
  const lines = text.split("\n");
  let section = "";
  let heading = "";
  let current: Partial<DocExample> | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("# ")) section = line.slice(2).trim();
    if (line.startsWith("## ")) heading = line.slice(3).trim();
    if (!line.startsWith("```")) continue;
    const kind = line.slice(3).trim();
    const block: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith("```"); i++) block.push(lines[i]!);
    if (kind === "plaintext") {
      const endpoint = /^(GET|POST|PUT|PATCH|DELETE) (\S+)/.exec(block[0] ?? "");
      const status = block.map((l) => /^(\d{3}) /.exec(l)).find(Boolean);
      if (endpoint) {
        const auth = block.find((l) => l.startsWith("Authorization:"));
        current = {
          edition,
          title: `${edition} ${section} / ${heading}`,
          method: endpoint[1]!,
          path: endpoint[2]!.replace(/&amp;/g, "&"),
          authorization: auth ? auth.slice("Authorization:".length).trim() : null,
        };
      } else if (status && current) {
        current.status = Number(status[1]);
      }
    } else if (kind === "json" && current) {
      const body = block.join("\n");
      if (current.status === undefined) {
        if (current.method !== "GET") current.request = JSON.parse(body);
      } else {
        current.response = JSON.parse(body);
        examples.push(current as DocExample);
        current = null;
      }
    }
  }
  return examples;
}
