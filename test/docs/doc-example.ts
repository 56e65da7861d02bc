/** @module One request/response example of the original docs (test/fixtures/doc-examples.json). */
export interface DocExample {
  edition: string;
  title: string;
  method: string;
  path: string;
  /** The example's Authorization header as written, e.g. "Bearer 30594…" or "wrong_token". */
  authorization: string | null;
  request: unknown;
  status: number;
  response: unknown;
}
