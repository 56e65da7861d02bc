/**
 * @module The repository stands alone: no tracked file reads, imports or
 * links a folder beside the checkout (the reading desk some developers have
 * next to it). A clone on its own must install, test and document everything.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

/** The parent folder's `shared` (assembled, so that this file does not match itself). */
const OUTSIDE = new RegExp(["\\.\\.", "[\\\\/]shared\\b"].join(""));
/** The same as path segments, as `path.resolve` takes them. */
const OUTSIDE_SEGMENTS = new RegExp(['"\\.\\."', ',\\s*"shared"'].join(""));

function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
}

describe("the repository stands alone", () => {
  it("no tracked file mentions a path outside the repository", () => {
    const files = trackedFiles().filter((file) => file !== "package-lock.json" && !file.endsWith(".png") && !file.endsWith(".svg"));
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((file) =>
      readFileSync(path.join(root, file), "utf8")
        .split("\n")
        .flatMap((line, i) => (OUTSIDE.test(line) || OUTSIDE_SEGMENTS.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });

  it("the check finds such a mention", () => {
    expect(OUTSIDE.test(["See ..", "shared/spec/CONTRACT.md"].join("/"))).toBe(true);
    expect(OUTSIDE_SEGMENTS.test(['path.resolve(root, "..", ', '"shared")'].join(""))).toBe(true);
    expect(OUTSIDE.test(["./shared/x and ..", "sharedness"].join("/"))).toBe(false);
  });
});
