import { acceptanceCriteria, parseIssueRef } from '../../lib/issues';
import { decimalUpTo, ISSUE_PATTERN } from '../../lib/issues/issue-ref';
import { parseCommand } from '../../lib/webhooks/commands';

describe('issue references', () => {
  it('parses owner/repo#number and rejects anything else', () => {
    expect(parseIssueRef('octo-org/hello.world#12')).toEqual({ repository: 'octo-org/hello.world', number: 12 });
    for (const bad of ['octo/repo', 'octo/repo#0', 'octo#12', 'a/b/c#1', 'octo/repo#12x', '#12', 'octo/repo#012']) expect(parseIssueRef(bad)).toBeUndefined();
  });

  it('takes issue numbers up to 2147483647 (a Postgres integer), in the parser and in the published pattern alike', () => {
    expect(parseIssueRef('octo/x#2147483647')).toEqual({ repository: 'octo/x', number: 2147483647 });
    for (const bad of ['octo/x#2147483648', 'octo/x#9999999999', 'octo/x#99999999999999999999']) expect(parseIssueRef(bad)).toBeUndefined();
    const pattern = new RegExp(ISSUE_PATTERN);
    for (const n of [1, 9, 10, 99, 2147483599, 2147483639, 2147483640, 2147483646, 2147483647, 2147483648, 2147483650, 2147483700, 3000000000]) {
      expect({ n, matches: pattern.test(`octo/x#${n}`) }).toEqual({ n, matches: n <= 2147483647 });
    }
    const upTo305 = new RegExp(`^(?:${decimalUpTo(305)})$`);
    for (let n = 0; n <= 400; n++) expect({ n, matches: upTo305.test(String(n)) }).toEqual({ n, matches: n >= 1 && n <= 305 });
  });
});

describe('acceptance criteria', () => {
  it('reads the items of an acceptance-criteria section, up to the next heading', () => {
    const body = '## Context\n- not a criterion\n\n### Acceptance Criteria\n- [ ] GET /pets?tag=dog returns only dogs\n* an unknown tag returns []\n1. limit caps the page\n\n## Notes\n- later';
    expect(acceptanceCriteria(body)).toEqual(['GET /pets?tag=dog returns only dogs', 'an unknown tag returns []', 'limit caps the page']);
  });

  it('falls back to the task list, and to nothing', () => {
    expect(acceptanceCriteria('Please:\r\n- [x] filter by tag\r\n- [ ] paginate\r\n- plain item')).toEqual(['filter by tag', 'paginate']);
    expect(acceptanceCriteria('Just prose.')).toEqual([]);
  });
});

describe('/testloom commands', () => {
  it('reads regenerate with feedback from the first line and the lines after it', () => {
    expect(parseCommand('/testloom regenerate cover 404s\nand auth')).toEqual({ name: 'regenerate', feedback: 'cover 404s\nand auth' });
    expect(parseCommand('  /testloom regenerate  ')).toEqual({ name: 'regenerate', feedback: '' });
    expect(parseCommand('/testloom cancel')).toEqual({ name: 'cancel' });
  });

  it('ignores ordinary comments and names an unknown command', () => {
    expect(parseCommand('LGTM, but /testloom regenerate later')).toBeUndefined();
    expect(parseCommand('/testloomish')).toBeUndefined();
    expect(parseCommand('/testloom deploy')).toEqual({ error: 'unknown command "/testloom deploy"; use /testloom regenerate [feedback] or /testloom cancel' });
    expect(parseCommand('/testloom')).toEqual({ error: 'unknown command "/testloom"; use /testloom regenerate [feedback] or /testloom cancel' });
  });
});
