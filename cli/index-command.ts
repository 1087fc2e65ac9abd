import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { loadEmbedder } from '../lib/embeddings';
import { CaseRetriever, ChromaCaseStore, collectionName } from '../lib/retrieval';
import { readCheckoutCases } from '../lib/retrieval/seed';
import { isRepositoryName } from '../lib/core/repository';

export interface IndexOptions {
  repo: string;
  path: string;
}


/**
 * `testloom index`: reads the tests of a checkout and upserts them into the repository's Chroma
 * collection, so the retrieve stage finds them. Ids are deterministic, so indexing again replaces
 * the cases instead of adding copies; cases deleted from the checkout stay in the index.
 */
export async function indexCheckout(options: IndexOptions, print: (line: string) => void): Promise<void> {
  if (!isRepositoryName(options.repo)) {
    throw new Error(`--repo ${JSON.stringify(options.repo)}: must be a repository name of the form owner/name`);
  }
  const root = path.resolve(options.path);
  const stat = fs.statSync(root, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) {
    throw new Error(`--path ${options.path}: ${stat ? 'not a directory' : 'no such directory'} (${root})`);
  }

  const config = loadConfig();
  const store = new ChromaCaseStore(config.retrieval.chroma.url);
  try {
    await store.heartbeat();
  } catch {
    throw new Error(`cannot reach Chroma at ${store.url}: start it with \`testloom up\` or set CHROMA_URL to a running Chroma server`);
  }

  const { documents, files, skipped } = await readCheckoutCases(root, options.repo);
  const retriever = new CaseRetriever(await loadEmbedder(config.retrieval.embedding), store, config.retrieval);
  const indexed = await retriever.index(documents);
  const total = await store.count(options.repo);
  print(`indexed ${indexed} test cases from ${files} files into ${collectionName(options.repo)} (now ${total} in the index)`);
  for (const file of skipped) print(`  skipped ${file.path}: ${file.reason}`);
}
