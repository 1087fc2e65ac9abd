/**
 * CachingEmbedder over the real model (the weights setup installs): which texts reach the model,
 * and that a vector from the cache is exactly the model's.
 */
import { loadConfig } from '../../lib/config';
import { CachingEmbedder, type Embedder } from '../../lib/embeddings';
import { createRetriever } from '../../lib/retrieval';
import { testChromaUrl, testEmbedder } from '../support/retrieval';

/** The real embedder, recording each list of texts it is asked to embed. */
function recording(model: Embedder): { embedder: Embedder; asked: string[][] } {
  const asked: string[][] = [];
  const embedder: Embedder = {
    modelId: model.modelId,
    dimensions: model.dimensions,
    isLoaded: () => model.isLoaded(),
    embed: (texts) => {
      asked.push(texts);
      return model.embed(texts);
    },
  };
  return { embedder, asked };
}

const norm = (vector: number[]) => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));

describe('CachingEmbedder', () => {
  let model: Embedder;
  beforeAll(async () => {
    model = await testEmbedder();
  });

  it('runs the model only for the texts it does not hold, each once, and gives the model its vectors exactly', async () => {
    const { embedder, asked } = recording(model);
    const cache = new CachingEmbedder(embedder);
    const first = await cache.embed(['list all pets', 'create a pet', 'list all pets']);
    const again = await cache.embed(['create a pet', 'delete a pet']);
    expect(asked).toEqual([['list all pets', 'create a pet'], ['delete a pet']]);
    const [list, create] = await model.embed(['list all pets', 'create a pet']);
    const [remove] = await model.embed(['delete a pet']);
    expect(first).toEqual([list, create, list]);
    expect(again).toEqual([create, remove]);
  });

  it('drops the least recently used text beyond its capacity', async () => {
    const { embedder, asked } = recording(model);
    const cache = new CachingEmbedder(embedder, 2);
    for (const text of ['a pet', 'an order', 'a pet', 'a user']) await cache.embed([text]); // 'an order' is the one least recently used
    await cache.embed(['a pet', 'an order']);
    expect(asked).toEqual([['a pet'], ['an order'], ['a user'], ['an order']]);
  });

  it('embeds a text longer than 4,096 characters every time instead of keeping it', async () => {
    const { embedder, asked } = recording(model);
    const cache = new CachingEmbedder(embedder);
    const long = 'GET /pets (listPets): '.padEnd(5_000, 'x');
    const [first] = await cache.embed([long]);
    const [second] = await cache.embed([long]);
    expect(asked).toEqual([[long], [long]]);
    expect(second).toEqual(first);
  });

  it('gives every vector of a batch larger than its capacity, in order', async () => {
    const texts = ['find pets by status', 'upload an image', 'place an order'];
    expect(await new CachingEmbedder(model, 1).embed(texts)).toEqual(await model.embed(texts));
  });

  it('gives each caller a copy: changing one changes no other', async () => {
    const cache = new CachingEmbedder(model);
    const [mine] = await cache.embed(['log a user in']);
    mine.fill(0);
    const [theirs] = await cache.embed(['log a user in']);
    expect(norm(theirs)).toBeCloseTo(1, 5);
  });

  it("is the retriever's embedder, so every run's queries go through it", async () => {
    const settings = loadConfig({ ...process.env, TESTLOOM_MODELS_OFFLINE: '1', CHROMA_URL: testChromaUrl() }).retrieval;
    const retriever = await createRetriever({ ...settings, enabled: true });
    expect(retriever?.embedder).toBeInstanceOf(CachingEmbedder);
  });
});
