export { ChromaCaseStore, collectionName, type IndexedCase } from './chroma-store';
export { ensureChromaServer, type ChromaServer } from './chroma-server';
export { caseDocumentId, type CaseDocument, type SimilarCase } from './documents';
export { CaseRetriever, type RetrieverSettings } from './retriever';
export { generatedCaseDocument, issueQueries, specQueries } from './texts';
export { createRetriever } from './from-config';
