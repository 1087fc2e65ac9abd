import type { Command } from 'commander';
import { loadConfig } from '../lib/config';
import type { ScheduleView } from '../lib/runs/schedules';
import { addTargetOptions, targetFromOptions, type TargetOptions } from './execution';
import { ApiClient } from './http';

type Print = (line?: string) => void;

const schedulePath = (id: string) => `/api/v1/schedules/${encodeURIComponent(id)}`;

function printSchedule(schedule: ScheduleView, print: Print): void {
  const timing = schedule.cron ? `cron ${schedule.cron}` : `every ${schedule.interval}`;
  const cut = [schedule.failFast ? 'fail-fast' : '', schedule.budget !== undefined ? `budget ${schedule.budget}` : ''].filter(Boolean).join(', ');
  print(`${schedule.id}  ${schedule.paused ? 'paused' : 'active'}  ${timing}  run ${schedule.runId}  → ${schedule.target.baseUrl}${cut ? `  (${cut})` : ''}`);
  if (!schedule.paused && schedule.nextActionTimes[0]) print(`  next        ${schedule.nextActionTimes[0]}`);
  for (const execution of schedule.recentExecutions.slice(-3)) print(`  executed    ${execution.scheduledAt}  execution ${execution.executionId}`);
}

/**
 * `testloom schedule <run> --cron … | --every …` and `testloom schedule list|pause|resume|delete`:
 * Temporal Schedules re-executing a delivered suite, through a running testloom API.
 */
export function addScheduleCommand(program: Command, print: Print): void {
  const api = () => ApiClient.fromConfig(loadConfig());
  const schedule = addTargetOptions(program
    .command('schedule [run]')
    .description("Re-execute a run's delivered suite on a schedule (default target: the repository's configured one); regressions are reported on its issue and in the API"))
    .option('--cron <expression>', 'five-field cron expression (UTC), e.g. "0 */6 * * *", or @hourly, @daily, …')
    .option('--every <interval>', 'interval such as 30m, 6h or 1d (at least 15m)')
    .option('--fail-fast', 'each execution stops at the first failing test (tests run most-likely-to-fail first)')
    .option('--budget <n>', 'each execution runs only the n tests most likely to fail', (value: string) => Number(value))
    .action(async (run: string | undefined, options: TargetOptions & { cron?: string; every?: string; failFast?: boolean; budget?: number }) => {
      if (!run) {
        schedule.help({ error: true });
        return;
      }
      if (!options.cron === !options.every) throw new Error('give one of --cron and --every');
      const target = targetFromOptions(options);
      const body = {
        ...(options.cron ? { cron: options.cron } : { interval: options.every }), ...(target ? { target } : {}),
        ...(options.failFast ? { failFast: true } : {}), ...(options.budget !== undefined ? { budget: options.budget } : {}),
      };
      const { status, body: created } = await api().request<ScheduleView>('POST', `/api/v1/runs/${encodeURIComponent(run)}/schedule`, body);
      print(status === 201 ? 'Created schedule' : 'Found schedule');
      printSchedule(created, print);
    });

  schedule.command('list').description("List testloom's schedules").action(async () => {
    const { body } = await api().request<{ schedules: ScheduleView[] }>('GET', '/api/v1/schedules');
    if (!body.schedules.length) print('no schedules');
    for (const s of body.schedules) printSchedule(s, print);
  });
  for (const [name, description] of [['pause', 'Pause a schedule'], ['resume', 'Resume a paused schedule']] as const) {
    schedule.command(`${name} <id>`).description(description).action(async (id: string) => {
      const { body } = await api().request<ScheduleView>('POST', `${schedulePath(id)}/${name}`);
      printSchedule(body, print);
    });
  }
  schedule.command('delete <id>').description('Delete a schedule (its executions stay stored)').action(async (id: string) => {
    await api().request('DELETE', schedulePath(id));
    print(`Deleted schedule ${id}`);
  });
}
