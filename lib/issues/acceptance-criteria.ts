/**
 * Acceptance criteria of an issue body: the items under a heading that names them ("Acceptance
 * criteria", "Definition of done", "Expected behaviour"), else every task-list item (`- [ ] …`).
 */
const CRITERIA_HEADING = /^#{1,6}\s*(acceptance criteria|definition of done|expected (behaviou?r|result))\b/i;
const HEADING = /^#{1,6}\s/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.+?)\s*$/;
const TASK_ITEM = /^\s*[-*+]\s+\[[ xX]\]\s+(.+?)\s*$/;

export function acceptanceCriteria(body: string): string[] {
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((line) => CRITERIA_HEADING.test(line.trim()));
  if (start >= 0) {
    const section: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (HEADING.test(line.trim())) break;
      const item = LIST_ITEM.exec(line);
      if (item) section.push(item[1]);
    }
    if (section.length) return section;
  }
  return lines.flatMap((line) => {
    const task = TASK_ITEM.exec(line);
    return task ? [task[1]] : [];
  });
}
