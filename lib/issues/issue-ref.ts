import { REPOSITORY_NAME } from '../core/repository';

/** `owner/repo#12`: how an issue is named in requests, workflow ids and commands. */
export interface IssueRef {
  repository: string;
  number: number;
}

/** Issue numbers are stored as Postgres `integer`; GitHub's never come near this. */
export const MAX_ISSUE_NUMBER = 2_147_483_647;

/**
 * A regular expression source matching the decimal numbers 1…max without leading zeros, e.g. for
 * 2147483647: `[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|…|214748364[0-7]`, so that a JSON Schema
 * pattern can state the bound.
 */
export function decimalUpTo(max: number): string {
  const digits = String(max);
  const shorter = digits.length > 1 ? [`[1-9][0-9]{0,${digits.length - 2}}`] : [];
  const sameLength = [...digits].map((digit, i) => {
    const rest = digits.length - i - 1;
    const low = i === 0 ? 1 : 0;
    const last = i === digits.length - 1;
    const top = last ? Number(digit) : Number(digit) - 1;
    if (top < low) return undefined;
    const range = top === low ? String(low) : `[${low}-${top}]`;
    return `${digits.slice(0, i)}${range}${rest ? `[0-9]{${rest}}` : ''}`;
  }).filter((part): part is string => part !== undefined);
  return [...shorter, ...sameLength].join('|');
}

const ISSUE_NUMBER_PATTERN = decimalUpTo(MAX_ISSUE_NUMBER);
export const ISSUE_PATTERN = `^${REPOSITORY_NAME}#(?:${ISSUE_NUMBER_PATTERN})$`;

const ISSUE_REF = new RegExp(`^(${REPOSITORY_NAME})#([0-9]+)$`);

/** Whether an issue number fits testloom's columns (1 to MAX_ISSUE_NUMBER). Not a type guard: a number out of range is still a number. */
export const isIssueNumber = (value: number): boolean => Number.isInteger(value) && value >= 1 && value <= MAX_ISSUE_NUMBER;

export function parseIssueRef(text: string): IssueRef | undefined {
  const match = ISSUE_REF.exec(text.trim());
  if (!match || match[2].startsWith('0')) return undefined;
  const number = Number(match[2]);
  return isIssueNumber(number) ? { repository: match[1], number } : undefined;
}

export function formatIssueRef(ref: IssueRef): string {
  return `${ref.repository}#${ref.number}`;
}

/** The idempotency key of an issue's runs (DESIGN §2): every delivery about the issue lands here. */
export function issueWorkflowId(ref: IssueRef): string {
  return `issue:${formatIssueRef(ref)}`;
}
