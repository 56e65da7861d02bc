/**
 * @module What a stored idempotent answer holds. Each idempotent record
 * names it (`answerHolds`), the idempotency middleware stores it beside the
 * sealed answer, and removing the thing — erasing the customer, deleting the
 * webhook endpoint, revoking the token — empties every answer that holds it,
 * in the same batch: a retry then answers 404 and replays nothing.
 */

export const SUBJECT_KINDS = ["customer", "webhook_endpoint", "token"] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];
export type Subject = `${SubjectKind}:${number}`;

export function subjectOf(kind: SubjectKind, id: number): Subject {
  return `${kind}:${id}`;
}

/**
 * A record's answer, read as sent (JSON), → the subject it holds; or
 * "nothing" for an answer that holds no one's data (a 204, a supplier).
 */
export type AnswerHolds = "nothing" | ((answer: any) => Subject);

/** The usual declarations: the answer is a customer, an EAN (or a list of one customer's EANs), an endpoint with its secret. */
export const holds = {
  customer: ((answer: { id: number }) => subjectOf("customer", answer.id)) satisfies AnswerHolds,
  customerOfEan: ((answer: { customer_id: number } | Array<{ customer_id: number }>) =>
    subjectOf("customer", (Array.isArray(answer) ? answer[0]! : answer).customer_id)) satisfies AnswerHolds,
  webhookEndpoint: ((answer: { id: number }) => subjectOf("webhook_endpoint", answer.id)) satisfies AnswerHolds,
};
