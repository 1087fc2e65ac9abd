/**
 * The request validators compile on first use: every one of them must compile from the published
 * OpenAPI document and refuse a field the document does not define, naming it.
 */
import * as validation from '../../api/validation';
import { HttpError } from '../../api/errors';

const PARSERS = Object.entries(validation).filter(([name, value]) => name.startsWith('parse') && typeof value === 'function') as [string, (value: unknown) => unknown][];

describe('request validation', () => {
  it('covers every parser the API uses', () => {
    expect(PARSERS.map(([name]) => name).sort()).toEqual([
      'parseCancelRunBody', 'parseExecuteRunBody', 'parseListFailuresQuery', 'parseListRunsQuery', 'parsePlanBody',
      'parseScheduleRunBody', 'parseSimilarTestsBody', 'parseSpecChangedBody', 'parseStartRunBody', 'parseStartRunQuery',
    ]);
  });

  it.each(PARSERS)('%s compiles and refuses an undocumented field with a 400 naming it', (_name, parse) => {
    let thrown: unknown;
    try {
      parse({ notAField: 1 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect((thrown as HttpError).status).toBe(400);
    expect((thrown as HttpError).message).toMatch(/notAField|is required/);
  });

  it('answers a second call from the compiled validator with the same verdict', () => {
    expect(validation.parseListRunsQuery({ limit: '5' })).toEqual({ limit: 5 });
    expect(validation.parseListRunsQuery({ limit: '7' })).toEqual({ limit: 7 });
    expect(() => validation.parseListRunsQuery({ limit: 'many' })).toThrow(/limit/);
  });
});
