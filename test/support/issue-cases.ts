/** An issue with acceptance criteria, and the test-case document a model answers for it, shared by issue-run tests. */
export const CRITERIA = ['GET /pets?tag=dog returns only dogs', 'an unknown tag returns an empty list'];

export const ISSUE_TITLE = 'Pets can be filtered by tag';
export const ISSUE_BODY = `GET /pets takes a tag filter.\n\n## Acceptance criteria\n- [ ] ${CRITERIA[0]}\n- [ ] ${CRITERIA[1]}\n`;

/** A valid test-case document for that issue, as the model answers. */
export const ISSUE_CASES = {
  cases: [
    {
      id: 'TC-1',
      title: 'Filtering by an existing tag returns only pets with that tag',
      preconditions: ['Pets tagged dog and cat exist'],
      steps: ['Send GET /pets?tag=dog', 'Read the returned list'],
      expectedResult: 'Status 200; every pet in the list has the tag dog',
      priority: 'high',
      type: 'functional',
      criterion: CRITERIA[0],
    },
    {
      id: 'TC-2',
      title: 'Filtering by an unknown tag returns an empty list',
      preconditions: [],
      steps: ['Send GET /pets?tag=unicorn'],
      expectedResult: 'Status 200 with []',
      priority: 'medium',
      type: 'negative',
      criterion: CRITERIA[1],
    },
  ],
};
