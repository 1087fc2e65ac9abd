import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';

/** A small inventory API with its spec, and switchable faults for triage and flakiness tests. */

const error = { type: 'object', required: ['code', 'message'], properties: { code: { type: 'integer' }, message: { type: 'string' } } };
const newItem = { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 }, price: { type: 'number' }, tag: { type: 'string' } } };
const item = { allOf: [newItem, { type: 'object', required: ['id'], properties: { id: { type: 'integer', format: 'int64' } } }] };
const json = (schema: object) => ({ 'application/json': { schema } });
const itemId = { name: 'itemId', in: 'path', required: true, schema: { type: 'integer' } };

/** Already dereferenced, as the receive stage hands specs over. */
export const INVENTORY_SPEC = {
  openapi: '3.0.3',
  info: { title: 'Inventory', version: '1.0.0' },
  paths: {
    '/items': {
      get: {
        operationId: 'listItems',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'tag', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          200: { description: 'items', content: json({ type: 'array', items: item }) },
          400: { description: 'bad query', content: json(error) },
        },
      },
      post: {
        operationId: 'createItem',
        requestBody: { required: true, content: json(newItem) },
        responses: { 201: { description: 'created', content: json(item) }, 400: { description: 'invalid', content: json(error) } },
      },
    },
    '/items/{itemId}': {
      get: {
        operationId: 'showItem',
        parameters: [itemId, { name: 'X-Trace', in: 'header', schema: { type: 'string' } }],
        responses: { 200: { description: 'the item', content: json(item) }, 404: { description: 'unknown', content: json(error) } },
      },
      delete: {
        operationId: 'deleteItem',
        parameters: [itemId],
        responses: { 204: { description: 'deleted' }, 404: { description: 'unknown', content: json(error) } },
      },
    },
    '/status': {
      get: {
        operationId: 'getStatus',
        responses: { 200: { description: 'up', content: json({ type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } }) } },
      },
    },
  },
};

export interface InventoryFaults {
  /** GET /items/{id} of this id answers an undocumented 500. */
  serverErrorForItem?: number;
  /** GET /items?tag=broken answers items whose price is a string, against the schema. */
  brokenTag?: boolean;
  /** GET /status answers 200 and 503 in turn. */
  alternatingStatus?: boolean;
  /** GET /go redirects to this URL. */
  redirectTo?: string;
  /** POST /items rejects a price or tag of the wrong type, as the spec says (the default API stores anything). */
  strictBodies?: boolean;
  /** GET /items?limit=<this> answers an undocumented 500. */
  serverErrorForLimit?: number;
  /** POST /items without a name stores the item as "unnamed" (201, a valid body) instead of answering 400. */
  lenientNames?: boolean;
  /** GET /items answers ids as strings, against the schema. */
  stringIds?: boolean;
  /** GET /status does not answer until `release()` (a suite caught mid-run). */
  holdStatus?: boolean;
  /** Ids of the items the store starts with (default 1 and 2). */
  seedIds?: number[];
  /**
   * GET /items/<this> answers a read-only sample item (DELETE of it answers 404 like any unknown
   * id): a not-found test that picked this id expects a 404 the API rightly does not give.
   */
  sampleItemId?: number;
  /** POST /items answers 400 to every request (a documented status): no item can be created. */
  readOnlyStore?: boolean;
}

export interface InventoryServer {
  baseUrl: string;
  /** Every request received, as `METHOD /path?query`. */
  received: string[];
  /** Ends the `holdStatus` fault: held and later GET /status requests answer. */
  release(): void;
  close(): Promise<void>;
}

interface Item {
  id: number;
  name: string;
  price?: number;
  tag?: string;
}

export async function startInventoryApi(faults: InventoryFaults = {}): Promise<InventoryServer> {
  const seed: Item[] = [{ id: 1, name: 'pen', price: 2, tag: 'office' }, { id: 2, name: 'mug', price: 5 }];
  const items = new Map<number, Item>(seed.filter((i) => (faults.seedIds ?? [1, 2]).includes(i.id)).map((i) => [i.id, i]));
  let nextId = 3;
  let statusCalls = 0;
  const received: string[] = [];
  let release = () => undefined as void;
  const app = express();
  app.use((req, _res, next) => {
    received.push(`${req.method} ${req.originalUrl}`);
    next();
  });
  const router = express.Router();
  const fail = (res: express.Response, status: number, message: string) => res.status(status).json({ code: status, message });

  router.get('/items', (req, res) => {
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1) return fail(res, 400, 'limit must be a positive integer');
    if (limit === faults.serverErrorForLimit) return res.status(500).json({ error: 'pagination cursor overflow' });
    if (faults.brokenTag && req.query.tag === 'broken') return res.json([{ id: 9, name: 'odd', price: 'free' }]);
    const tag = typeof req.query.tag === 'string' ? req.query.tag : undefined;
    const page = [...items.values()].filter((i) => !tag || i.tag === tag).slice(0, limit);
    res.json(faults.stringIds ? page.map((i) => ({ ...i, id: String(i.id) })) : page);
  });
  router.post('/items', express.json(), (req, res) => {
    const body = req.body as Partial<Item> | undefined;
    if (faults.readOnlyStore) return fail(res, 400, 'the store is read-only');
    if (faults.lenientNames && body && typeof body === 'object' && body.name === undefined) body.name = 'unnamed';
    if (!body || typeof body.name !== 'string' || !body.name) return fail(res, 400, 'name is required');
    if (faults.strictBodies && body.price !== undefined && typeof body.price !== 'number') return fail(res, 400, 'price must be a number');
    if (faults.strictBodies && body.tag !== undefined && typeof body.tag !== 'string') return fail(res, 400, 'tag must be a string');
    const created: Item = { ...body, id: nextId++ } as Item;
    items.set(created.id, created);
    res.status(201).json(created);
  });
  router.get('/items/:itemId', (req, res) => {
    const id = Number(req.params.itemId);
    if (id === faults.serverErrorForItem) return res.status(500).type('text/plain').send('internal error: item store unavailable');
    const found = id === faults.sampleItemId ? { id, name: 'sample', price: 1 } : items.get(id);
    if (!found) return fail(res, 404, `no item ${req.params.itemId}`);
    res.json(found);
  });
  router.delete('/items/:itemId', (req, res) => {
    if (!items.delete(Number(req.params.itemId))) return fail(res, 404, `no item ${req.params.itemId}`);
    res.status(204).end();
  });
  let released: Promise<void> = faults.holdStatus ? new Promise((resolve) => { release = resolve; }) : Promise.resolve();
  router.get('/status', async (_req, res) => {
    await released;
    statusCalls++;
    // Alternating rather than random, so three runs are sure to disagree.
    if (faults.alternatingStatus && statusCalls % 2 === 0) return fail(res, 503, 'warming up');
    res.json({ ok: true });
  });
  router.get('/go', (_req, res) => {
    if (!faults.redirectTo) return fail(res, 404, 'no redirect configured');
    res.redirect(302, faults.redirectTo);
  });
  app.use('/v1', router);

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(listening)));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    received,
    release: () => {
      released = Promise.resolve();
      release();
    },
    close: () => new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }),
  };
}

/** A server standing for "another host": it only counts what reaches it. */
export async function startOtherHost(): Promise<{ origin: string; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  const app = express();
  app.use((req, res) => {
    received.push(`${req.method} ${req.originalUrl}`);
    res.json({ other: true });
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(listening)));
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
