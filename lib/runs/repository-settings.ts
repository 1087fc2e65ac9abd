/**
 * The target repository's `.testloom.yml`, applied to a run's subject at receive: where suites go,
 * how branches start, whether the CI workflow is delivered. A file that cannot be used never fails
 * the run: the run goes on with the defaults, an issue gets one comment naming each bad key, and a
 * spec run's pull request lists them.
 */
import { loadRepositoryConfig, renderRepositoryConfigProblems, type RepositoryConfig } from '../config/repository-config';
import type { ConfiguredSchedule, DeliverySettings, Subject } from '../core/contract';
import { DEFAULT_BRANCH_PREFIX, DEFAULT_OUTPUT_ROOT } from '../core/subject';
import type { RepoHost } from '../repohost/types';

/** The hidden marker of the one comment about the repository's configuration on an issue. */
export const CONFIG_PROBLEMS_MARKER = '<!-- testloom:repository-config -->';

function configuredSchedule(schedule: NonNullable<RepositoryConfig['schedule']>, target: RepositoryConfig['target']): ConfiguredSchedule {
  return { ...('cron' in schedule ? { cron: schedule.cron } : { interval: schedule.interval }), ...(target ? { target } : {}) };
}

/** `policy`: the operator's execution policy, which the file's target is checked against. */
export async function applyRepositoryConfig(
  deps: { repoHost: RepoHost; policy: { hosts: string[]; variables: string[] } },
  subject: Subject,
): Promise<Subject> {
  const { policy } = deps;
  const loaded = await loadRepositoryConfig(deps.repoHost, subject.repository, { policy });
  if (!loaded.ok) {
    const problems = renderRepositoryConfigProblems(loaded.problems);
    if (subject.kind === 'issue') {
      await deps.repoHost.upsertIssueComment({
        repository: subject.repository, issueNumber: subject.number, marker: CONFIG_PROBLEMS_MARKER, body: `${CONFIG_PROBLEMS_MARKER}\n${problems}`,
      });
    }
    return { ...subject, delivery: { configProblems: problems } };
  }
  if (!loaded.found) return subject;
  const { config } = loaded;
  const { thresholds } = config.execution;
  const delivery: DeliverySettings = {
    ...(config.output.dir !== DEFAULT_OUTPUT_ROOT ? { outputRoot: config.output.dir } : {}),
    ...(config.branchPrefix !== DEFAULT_BRANCH_PREFIX ? { branchPrefix: config.branchPrefix } : {}),
    ...(Object.keys(thresholds).length ? { thresholds } : {}),
    ...(config.pullRequestComments ? {} : { comments: false }),
    ...(config.labels.pullRequest.length ? { reviewLabels: config.labels.pullRequest } : {}),
    ...(config.schedule && subject.kind === 'spec' ? { schedule: configuredSchedule(config.schedule, config.target) } : {}),
  };
  const withDelivery = Object.keys(delivery).length ? { ...subject, delivery } : subject;
  if (withDelivery.kind === 'spec' && withDelivery.ciWorkflow && !config.ciWorkflow) return { ...withDelivery, ciWorkflow: false };
  return withDelivery;
}
