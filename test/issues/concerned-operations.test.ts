import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { operationsConcerned } from '../../lib/issues/concerned-operations';
import { listOperations } from '../../lib/openapi';
import { PROJECT_ROOT } from '../../lib/config';

const PETSTORE = path.join(PROJECT_ROOT, 'examples/petstore.yaml');

const operations = listOperations(parse(fs.readFileSync(PETSTORE, 'utf8')));
const concerned = (text: string) => operationsConcerned(text, operations).map((c) => [c.operation.operationId, c.mention]);

test('finds operations by method and path (template or concrete) and by operationId, in spec order', () => {
  expect(concerned('`GET /pets/42` returns 500; also `POST /pets` accepts an empty name.')).toEqual([['createPet', 'POST /pets'], ['showPetById', 'GET /pets/42']]);
  expect(concerned('deletePet should answer 404 for GET /pets/{petId} after deletion.')).toEqual([['showPetById', 'GET /pets/{petId}'], ['deletePet', 'deletePet']]);
  expect(concerned('get /pets?limit=5 ignores the limit.')).toEqual([['listPets', 'GET /pets']]);
});

test('does not match other methods, longer paths or words that merely contain an operationId', () => {
  expect(concerned('PUT /pets/1 is missing; GET /pets/1/toys too; see mycreatePets and listPetsV2.')).toEqual([]);
});
