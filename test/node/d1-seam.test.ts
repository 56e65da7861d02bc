/** No D1 call outside the seam (src/domain/db/client.ts): no raw `prepare("…")`, no `.batch(`, no `$client`, no Drizzle client elsewhere. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");
const SEAM = path.join(SRC, "domain", "db", "client.ts");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith(".ts") ? [full] : [];
  });
}

const D1_CALLS = [/\.prepare\(\s*[^)\s]/, /\.batch\(/, /\$client/, /drizzle\(/, /\.withSession\(/];

describe("the D1 seam", () => {
  it("is the only place that calls D1 (the session middleware opens the session it is given)", () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      if (file === SEAM) continue;
      const lines = readFileSync(file, "utf8").split("\n");
      lines.forEach((line, i) => {
        const allowed = file.endsWith(path.join("middleware", "d1-session.ts")) && /\.withSession\(/.test(line);
        if (!allowed && D1_CALLS.some((call) => call.test(line))) offenders.push(`src/${path.relative(SRC, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
