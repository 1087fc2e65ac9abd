/**
 * The parts of an `issues` / `issue_comment` payload testloom reads, checked before anything is
 * stored: a field of the wrong type is a malformed payload (400), an issue number testloom cannot
 * store (beyond 2147483647) is ignored (204 with the reason, so GitHub does not retry it).
 */
import { isRepositoryName } from '../core/repository';
import { isIssueNumber, MAX_ISSUE_NUMBER } from '../issues/issue-ref';

/** A payload that is valid JSON but not the event it claims to be. */
export class MalformedPayloadError extends Error {}


const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isOptional = (value: unknown, type: 'string' | 'object') => value === undefined || value === null || (type === 'object' ? isObject(value) : typeof value === type);

function isLabelList(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.every((label) => label === null || typeof label === 'string' || (isObject(label) && typeof label.name === 'string')));
}

/**
 * Throws MalformedPayloadError when a field testloom reads has the wrong type; returns why the
 * delivery is ignored when the issue number is out of range; undefined when it can be handled.
 */
export function checkIssuePayload(event: 'issues' | 'issue_comment', payload: Record<string, unknown>): string | undefined {
  const { repository, issue, sender, comment } = payload;
  const wrong: string[] = [];
  if (!isObject(repository) || typeof repository.full_name !== 'string' || !isRepositoryName(repository.full_name)) wrong.push('repository.full_name must be owner/name');
  if (!isObject(issue)) {
    wrong.push('issue must be an object');
  } else {
    if (typeof issue.number !== 'number' || !Number.isInteger(issue.number)) wrong.push('issue.number must be an integer');
    if (typeof issue.title !== 'string') wrong.push('issue.title must be a string');
    if (!isOptional(issue.body, 'string')) wrong.push('issue.body must be a string');
    if (!isLabelList(issue.labels)) wrong.push('issue.labels must be a list of labels');
    if (!isOptional(issue.user, 'object') || (isObject(issue.user) && typeof issue.user.login !== 'string')) wrong.push('issue.user.login must be a string');
  }
  if (typeof payload.action !== 'string') wrong.push('action must be a string');
  if (!isObject(sender) || typeof sender.login !== 'string') wrong.push('sender.login must be a string');
  if (!isOptional(payload.label, 'object')) wrong.push('label must be an object');
  if (event === 'issue_comment' && (!isObject(comment) || typeof comment.body !== 'string' || !isOptional(comment.user, 'object') || (isObject(comment.user) && typeof comment.user.login !== 'string'))) {
    wrong.push('comment must have a string body and user.login');
  }
  if (wrong.length) throw new MalformedPayloadError(`an ${event} event with ${wrong.join(', ')}`);
  const number = (issue as { number: number }).number;
  if (!isIssueNumber(number)) return `issue number ${number} is out of range: testloom handles issues 1 to ${MAX_ISSUE_NUMBER}`;
  return undefined;
}
