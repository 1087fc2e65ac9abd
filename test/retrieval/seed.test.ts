import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { caseDocumentId } from '../../lib/retrieval';
import { readCheckoutCases } from '../../lib/retrieval/seed';

const FIXTURE = path.join(__dirname, '../fixtures/seed-checkout');
const REPOSITORY = 'acme/shop';

/** Every case of the fixture checkout, in the order the reader returns them: [path, title]. */
const EXPECTED: [string, string][] = [
  ['docs/test-cases.md', 'listPets: GET /pets › returns 200 for a valid request'],
  ['docs/test-cases.md', 'listPets: GET /pets › rejects query parameter "limit" of the wrong type (string instead of integer) with 4xx'],
  ['docs/test-cases.md', 'createPet: POST /pets › returns 201 for a valid request'],
  ['docs/test-cases.md', 'createPet: POST /pets › rejects a request without required field "name" with 4xx'],
  ['lib/slugify.test.cjs', 'slugify lowercases and joins words with dashes'],
  ['lib/slugify.test.cjs', 'slugify strips leading and trailing punctuation'],
  ['qa/test-cases/checkout.md', 'Coupons › TC-1: Expired coupon is rejected'],
  ['qa/test-cases/checkout.md', 'Coupons › TC-2: Percentage coupon reduces the subtotal'],
  ['qa/test-cases/refunds.json', 'Refunds › Partial refund leaves the remainder refundable'],
  ['qa/test-cases/refunds.json', 'Refunds › Refund above the captured amount is rejected'],
  ['src/cart.spec.ts', 'Cart › totals › sums price times quantity'],
  ['src/cart.spec.ts', 'Cart › totals › is zero for an empty cart'],
  ['src/cart.spec.ts', 'Cart › totals › applies ${VAT_RATE * 100}% VAT on top'],
  ['src/cart.spec.ts', 'Cart › totals › multiplies %i × %d into %d'],
  ['src/cart.spec.ts', 'Cart › SKU validation › rejects lower-case SKUs like "abc-1"'],
  ['src/cart.spec.ts', 'Cart › SKU validation › accepts the label \'it("s fine")\' unchanged'],
  ['src/cart.spec.ts', 'Cart › SKU validation › rejects SKUs longer than 32 characters'],
  ['src/cart.spec.ts', 'Cart › keeps describe( text inside strings out of the chain'],
  ['src/cart.spec.ts', 'prices in %s › formats with two decimals'],
  ['tests/payments_test.py', 'PaymentTests › test_declined_card_raises'],
  ['tests/payments_test.py', 'PaymentTests › test_currency_mismatch'],
  ['tests/test_orders.py', 'test_order_total_includes_shipping'],
  ['tests/test_orders.py', 'test_cancel_depends_on_status'],
  ['tests/test_orders.py', 'TestRefunds › test_partial_refund_leaves_remainder'],
  ['tests/test_orders.py', 'TestRefunds › test_refund_is_idempotent'],
  ['tests/test_orders.py', 'test_one_liner'],
  ['web/LoginForm.spec.jsx', 'LoginForm › renders the "Sign in" button'],
  ['web/LoginForm.spec.jsx', 'LoginForm › when the password is wrong › shows an error message'],
  ['web/LoginForm.spec.jsx', 'LoginForm › when the password is wrong › shows an error message'],
  ['web/LoginForm.spec.jsx', 'LoginForm › disables submit while the request is pending'],
  ['web/LoginForm.spec.jsx', 'LoginForm › remembers the email'],
];

function write(root: string, relative: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  fs.writeFileSync(path.join(root, relative), content);
}

describe('readCheckoutCases', () => {
  let checkout: string;

  beforeAll(() => {
    // A copy with the folders Git cannot keep in the fixture, and a file over the size limit.
    checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-seed-'));
    fs.cpSync(FIXTURE, checkout, { recursive: true });
    write(checkout, 'node_modules/left-pad/index.test.js', "test('dependency test, never indexed', () => {});\n");
    write(checkout, '.git/hooks/check_test.py', 'def test_hook():\n    pass\n');
    write(checkout, 'coverage/lcov-report/cart.spec.ts', "test('report copy, never indexed', () => {});\n");
    write(checkout, '.venv/lib/test_site.py', 'def test_site():\n    pass\n');
    write(checkout, 'src/huge.test.js', `test('too big to read', () => {});\n${'// padding\n'.repeat(100_000)}`);
  });

  afterAll(() => fs.rmSync(checkout, { recursive: true, force: true }));

  test('finds every test and test case, with its describe chain, and skips dependency and build folders', async () => {
    const { documents, files, skipped } = await readCheckoutCases(checkout, REPOSITORY);
    expect(documents.map((d) => [d.path, d.title])).toEqual(EXPECTED);
    expect(files).toBe(8);
    expect(skipped).toEqual([
      { path: 'src/empty.test.mjs', reason: 'no tests found' },
      { path: 'src/huge.test.js', reason: 'larger than 1 MB' },
    ]);
    for (const d of documents) {
      expect(d).toMatchObject({ repository: REPOSITORY, origin: 'seed', subject: d.path });
      expect(d.kind).toBe(/\.(md|json)$/.test(d.path) ? 'test-case' : 'test');
    }
  });

  test('gives each case deterministic, distinct ids: same checkout, same ids wherever it lies', async () => {
    const first = await readCheckoutCases(checkout, REPOSITORY);
    const again = await readCheckoutCases(FIXTURE, REPOSITORY);
    expect(again.documents.map((d) => d.id)).toEqual(first.documents.map((d) => d.id));
    expect(new Set(first.documents.map((d) => d.id)).size).toBe(EXPECTED.length);

    const ids = first.documents.map((d) => d.id);
    const wrongPassword = 'LoginForm › when the password is wrong › shows an error message';
    expect(ids).toContain(caseDocumentId(REPOSITORY, 'web/LoginForm.spec.jsx', wrongPassword));
    expect(ids).toContain(caseDocumentId(REPOSITORY, 'web/LoginForm.spec.jsx', `${wrongPassword} #2`));
    // Rows with an ID column are keyed by it, so a retitled case keeps its id.
    expect(ids).toContain(caseDocumentId(REPOSITORY, 'docs/test-cases.md', 'listPets/happy-path'));
    expect((await readCheckoutCases(FIXTURE, 'acme/other')).documents[0].id).not.toBe(ids[0]);
  });

  test('embeds a compact text: names, docstring or row details, and the start of the body', async () => {
    const { documents } = await readCheckoutCases(FIXTURE, REPOSITORY);
    const text = (title: string) => documents.find((d) => d.title === title)!.text;
    expect(text('Cart › totals › sums price times quantity')).toBe(
      "Cart › totals › sums price times quantity\nexpect(total({ items: [{ sku: 'ABC-1', quantity: 2, price: 5 }] })).toBe(10);",
    );
    expect(text('Cart › totals › multiplies %i × %d into %d')).toContain('each: ([ [1, 3, 3], [4, 2.5, 10], ])');
    expect(text('TestRefunds › test_partial_refund_leaves_remainder')).toContain('partial refund leaves remainder\nA partial refund keeps the rest refundable.\norder = make_order(');
    expect(text('test_cancel_depends_on_status')).toContain('@pytest.mark.parametrize( "status, allowed"');
    expect(text('listPets: GET /pets › returns 200 for a valid request')).toContain('type: happy path; request: GET /pets; expected: 200');
    expect(text('Coupons › TC-1: Expired coupon is rejected')).toContain('then the API answers 400 `coupon_expired`');
    for (const d of documents) {
      const [, ...rest] = d.text.split('\n');
      for (const line of rest) expect(line.length).toBeLessThanOrEqual(400);
      expect(d.text).not.toMatch(/ {2}/);
    }
  });

  test('reads parametrised tests, computed names and long bodies', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-seed-'));
    try {
      write(dir, 'math.test.js', [
        'describe(Calculator.name, () => {',
        '  test.each`',
        '    a    | b    | sum',
        '    ${1} | ${2} | ${3}',
        '  `(\'adds $a and $b\', ({ a, b, sum }) => expect(a + b).toBe(sum));',
        `  it(\`rounds \${\`nested \${"}"}\`} values\`, () => {`,
        `    const long = ${JSON.stringify('x'.repeat(1000))};`,
        '  }, 10_000);',
        '  const re = /it\\(\'not a test\'\\)/;',
        '});',
      ].join('\n'));
      const { documents } = await readCheckoutCases(dir, REPOSITORY);
      expect(documents.map((d) => d.title)).toEqual([
        'Calculator.name › adds $a and $b',
        'Calculator.name › rounds ${`nested ${"}"}`} values',
      ]);
      expect(documents[0].text).toContain('each: `');
      expect(documents[1].text.split('\n')[1].length).toBe(400);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
