/**
 * The custom search attributes testloom's workflows set (temporal.yaml `searchAttributes`) must
 * exist in the namespace, or starting a run fails. Worker and API processes check at start-up and
 * register the missing ones where the server allows it (the dev server, a cluster whose operator
 * API this identity may call); otherwise they stop with the command an operator runs.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

type OperatorService = Pick<Connection['operatorService'], 'listSearchAttributes' | 'addSearchAttributes'>;

export class SearchAttributesMissing extends Error {
  constructor(message: string, readonly missing: string[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'SearchAttributesMissing';
  }
}

function instructions(namespace: string, names: string[]): string {
  const commands = names.map((name) => `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type Keyword`);
  const cloud = `tcld namespace search-attributes add --namespace <namespace>.<account> ${names.map((name) => `--sa "${name}=Keyword"`).join(' ')}`;
  return `create them once, then start again:\n  ${commands.join('\n  ')}\n(Temporal Cloud: ${cloud})`;
}

/**
 * Returns the attributes it registered (empty when all existed). Throws SearchAttributesMissing,
 * naming the commands, when one has another type or cannot be registered.
 */
export async function ensureSearchAttributes(operatorService: OperatorService, namespace: string, wanted: Record<string, 'Keyword'>): Promise<string[]> {
  const names = Object.keys(wanted);
  if (!names.length) return [];
  const existing = (await operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  const wrongType = names.filter((name) => name in existing && existing[name] !== KEYWORD);
  if (wrongType.length) {
    throw new SearchAttributesMissing(`search attributes ${wrongType.join(', ')} exist in namespace ${namespace} with another type than Keyword: `
      + 'remove them (temporal operator search-attribute remove) or point TEMPORAL_NAMESPACE at another namespace', wrongType);
  }
  const missing = names.filter((name) => !(name in existing));
  if (!missing.length) return [];
  try {
    await operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])) });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new SearchAttributesMissing(`namespace ${namespace} lacks the search attributes ${missing.join(', ')} and registering them failed (${reason}); `
      + instructions(namespace, missing), missing, { cause: err });
  }
  return missing;
}
