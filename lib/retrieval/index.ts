export { ChromaCaseStore, collectionName, VectorStoreUnavailableError, type IndexedCase } from './chroma-store';
export { chromaCliPath, ensureChromaServer, type ChromaServer } from './chroma-server';
export { caseDocumentId, type CaseDocument, type CaseOrigin, type SimilarCase } from './documents';
export { CaseRetriever, type RetrieverSettings } from './retriever';
export { caseText, generatedCaseDocument, issueQueries, operationQuery, specQueries } from './texts';
export { createRetriever } from './from-config';
