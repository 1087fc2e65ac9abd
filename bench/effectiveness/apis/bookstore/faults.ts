/** The seeded faults of the sample API: each one a realistic bug, switched on alone. */

export const FAULTS = {
  'title-not-required': 'POST /books accepts a book without a title (stores "Untitled")',
  'title-max-length': 'book titles longer than maxLength 100 are accepted',
  'limit-maximum': 'GET /books?limit above maximum 50 is accepted (silently capped) instead of rejected',
  'genre-filter-unvalidated': 'GET /books?genre=<not in the enum> answers 200 with an empty page instead of 400',
  'create-status-200': 'POST /books answers 200 instead of the documented 201',
  'delete-unknown-204': 'DELETE /books/{bookId} of an unknown id answers 204 instead of 404',
  'book-missing-author': 'GET /books/{bookId} omits the required "author" property',
  'order-id-string': 'orders are serialized with "id" as a string ("7") instead of an integer',
  'author-filter-500': 'GET /books?author= builds a RegExp from the input: "(" or "[" answers 500',
  'orders-auth-ignored': 'POST /orders does not check the bearer token',
  'update-drops-price': 'PUT /books/{bookId} does not store the new price (answers and keeps the old one)',
  'list-text-plain': 'GET /books answers its JSON with Content-Type text/plain',
  'quantity-max-500': 'POST /orders with quantity at its maximum (10) answers 500 (off-by-one in the discount table)',
} as const;

export type FaultName = keyof typeof FAULTS;

export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];
