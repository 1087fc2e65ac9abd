import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { serve, type BenchApi, type RunningApi } from '../types';
import { FAULTS, type FaultName } from './faults';
import { createValidators, parseId, type NewBook } from './validation';

/** The bookstore of spec.yaml, in memory, served under its `/v1` base path; one seeded fault at most. */

export const SAMPLE_API_TOKEN = 'bench-bookstore-token';

export interface SampleApiOptions {
  fault?: FaultName;
  /** 0 (default): any free port. */
  port?: number;
}

interface Book extends Required<NewBook> {
  id: number;
}

interface Order {
  id: number;
  bookId: number;
  quantity: number;
  status: 'placed' | 'cancelled';
  total: number;
}

/** The data the spec's examples name: book 1 by Austen, order 1 of book 1. Stock is ample so repeated suite runs keep ordering. */
function seed(): { books: Map<number, Book>; orders: Map<number, Order> } {
  const books: Book[] = [
    { id: 1, title: 'Pride and Prejudice', author: 'Jane Austen', price: 9.99, genre: 'fiction', stock: 5000 },
    { id: 2, title: 'A Brief History of Time', author: 'Stephen Hawking', price: 18.5, genre: 'science', stock: 300 },
    { id: 3, title: 'The Gruffalo', author: 'Julia Donaldson', price: 7.25, genre: 'children', stock: 120 },
  ];
  const orders: Order[] = [{ id: 1, bookId: 1, quantity: 2, status: 'placed', total: 19.98 }];
  return { books: new Map(books.map((b) => [b.id, b])), orders: new Map(orders.map((o) => [o.id, o])) };
}

/** Discount by quantity 1..10, indexed from 0. */
const VOLUME_DISCOUNT = [0, 0, 0, 0, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1];

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const invalid = (message: string) => new HttpError(400, 'invalid_request', message);
const notFound = (what: string) => new HttpError(404, 'not_found', `no ${what}`);

function sendError(res: Response, status: number, code: string, message: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Bearer');
  res.status(status).json({ code, message });
}

function requireToken(req: Request): void {
  if (req.get('authorization') !== `Bearer ${SAMPLE_API_TOKEN}`) throw new HttpError(401, 'unauthorized', 'a valid bearer token is required');
}

/** 405 with Allow for the methods a path does not document; OPTIONS answers the Allow list itself. */
function otherMethods(allowed: string[]) {
  return (req: Request, res: Response) => {
    res.set('Allow', allowed.join(', '));
    if (req.method === 'OPTIONS') res.status(204).end();
    else sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed here`);
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createSampleApp(fault?: FaultName): express.Express {
  const { books, orders } = seed();
  let nextBookId = Math.max(...books.keys()) + 1;
  let nextOrderId = Math.max(...orders.keys()) + 1;
  const validate = createValidators(fault);
  const has = (name: FaultName) => fault === name;

  const bookById = (raw: unknown): Book => {
    const id = parseId(raw);
    if (id === undefined) throw invalid('bookId must be a positive integer');
    const book = books.get(id);
    if (!book) throw notFound(`book ${id}`);
    return book;
  };
  const orderById = (raw: unknown): Order => {
    const id = parseId(raw);
    if (id === undefined) throw invalid('orderId must be a positive integer');
    const order = orders.get(id);
    if (!order) throw notFound(`order ${id}`);
    return order;
  };
  const newBookOf = (body: unknown): Required<NewBook> => {
    const checked = validate.newBook(body);
    if (!checked.ok) throw invalid(checked.message);
    return { ...checked.value, title: checked.value.title ?? 'Untitled', stock: checked.value.stock ?? 0 };
  };
  const bookView = (book: Book) => (has('book-missing-author') ? { ...book, author: undefined } : book);
  const orderView = (order: Order) => (has('order-id-string') ? { ...order, id: String(order.id) } : order);

  const router = express.Router();
  router.route('/books')
    .get((req, res) => {
      const checked = validate.bookQuery(req.query);
      if (!checked.ok) throw invalid(checked.message);
      const { limit = 20, offset = 0, genre, author } = checked.value;
      const byAuthor = author === undefined ? undefined : new RegExp(has('author-filter-500') ? author : escapeRegExp(author), 'i');
      const matching = [...books.values()].filter((b) => (!genre || b.genre === genre) && (!byAuthor || byAuthor.test(b.author)));
      const page = { items: matching.slice(offset, offset + Math.min(limit, 50)), total: matching.length };
      if (has('list-text-plain')) res.type('text/plain').send(JSON.stringify(page));
      else res.json(page);
    })
    .post((req, res) => {
      requireToken(req);
      const book: Book = { id: nextBookId++, ...newBookOf(req.body) };
      books.set(book.id, book);
      res.status(has('create-status-200') ? 200 : 201).json(book);
    })
    .all(otherMethods(['GET', 'POST']));

  router.route('/books/:bookId')
    .get((req, res) => {
      res.json(bookView(bookById(req.params.bookId)));
    })
    .put((req, res) => {
      requireToken(req);
      const current = bookById(req.params.bookId);
      const replacement = newBookOf(req.body);
      const book: Book = { ...replacement, id: current.id, ...(has('update-drops-price') ? { price: current.price } : {}) };
      books.set(book.id, book);
      res.json(book);
    })
    .delete((req, res) => {
      requireToken(req);
      const id = parseId(req.params.bookId);
      if (id === undefined) throw invalid('bookId must be a positive integer');
      if (!books.delete(id) && !has('delete-unknown-204')) throw notFound(`book ${id}`);
      res.status(204).end();
    })
    .all(otherMethods(['GET', 'PUT', 'DELETE']));

  router.route('/orders')
    .post((req, res) => {
      if (!has('orders-auth-ignored')) requireToken(req);
      const checked = validate.newOrder(req.body);
      if (!checked.ok) throw invalid(checked.message);
      const { bookId, quantity } = checked.value;
      const book = books.get(bookId);
      if (!book) throw notFound(`book ${bookId}`);
      if (book.stock < quantity) throw new HttpError(409, 'out_of_stock', `only ${book.stock} copies of book ${bookId} in stock`);
      const discount = VOLUME_DISCOUNT[has('quantity-max-500') ? quantity : quantity - 1];
      if (discount === undefined) throw new Error(`no discount rate for quantity ${quantity}`);
      book.stock -= quantity;
      const order: Order = { id: nextOrderId++, bookId, quantity, status: 'placed', total: Math.round(book.price * quantity * (1 - discount) * 100) / 100 };
      orders.set(order.id, order);
      res.status(201).json(orderView(order));
    })
    .all(otherMethods(['POST']));

  router.route('/orders/:orderId')
    .get((req, res) => {
      res.json(orderView(orderById(req.params.orderId)));
    })
    .all(otherMethods(['GET']));

  router.route('/orders/:orderId/cancel')
    .post((req, res) => {
      requireToken(req);
      const order = orderById(req.params.orderId);
      if (order.status === 'cancelled') throw new HttpError(409, 'already_cancelled', `order ${order.id} is already cancelled`);
      order.status = 'cancelled';
      const book = books.get(order.bookId);
      if (book) book.stock += order.quantity;
      res.json(orderView(order));
    })
    .all(otherMethods(['POST']));

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.use('/v1', router);
  app.use((req, res) => sendError(res, 404, 'not_found', `no route ${req.method} ${req.path}`));
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message);
    // body-parser's own errors: malformed JSON (400), body too large (413)...
    if (err.type && err.status && err.status < 500) return sendError(res, err.status, 'invalid_request', err.message);
    sendError(res, 500, 'internal_error', err.message);
  });
  return app;
}

export function startSampleApi(options: SampleApiOptions = {}): Promise<RunningApi> {
  return serve(createSampleApp(options.fault), '/v1', options.port);
}

export const bookstore: BenchApi = {
  name: 'bookstore',
  title: 'Bookstore',
  specPath: path.join(__dirname, 'spec.yaml'),
  faults: FAULTS,
  auth: { scheme: 'bearerAuth', credential: SAMPLE_API_TOKEN, header: 'Authorization', value: `Bearer ${SAMPLE_API_TOKEN}` },
  start: (fault) => startSampleApi({ fault: fault as FaultName | undefined }),
};
