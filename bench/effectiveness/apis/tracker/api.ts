import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { otherMethods, serve, type BenchApi } from '../types';
import { FAULTS, type FaultName } from './faults';
import { createValidators, ISSUE_KEY, UUID, type NewIssue, type NewProject, type RESOLUTIONS, type ROLES, type STATUSES } from './validation';

/** The issue tracker of spec.yaml, in memory, served under its `/api/v2` base path; one seeded fault at most. */

export const TRACKER_TOKEN = 'bench-tracker-token';

interface User {
  id: string;
  name: string;
  email: string;
  role: (typeof ROLES)[number];
}

interface Project extends Required<Omit<NewProject, 'description'>> {
  id: string;
  description: string | null;
  openIssues: number;
  nextNumber: number;
  createdAt: Date;
}

interface Issue extends Required<Pick<NewIssue, 'title' | 'type' | 'priority'>> {
  projectId: string;
  number: number;
  description: string | null;
  status: (typeof STATUSES)[number];
  resolution: (typeof RESOLUTIONS)[number] | null;
  assigneeId: string | null;
  labels: string[] | null;
  dueDate: string | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

const SEEDED = new Date('2025-02-03T10:00:00Z');
const ADA = 'usr_a1b2c3d4e5f6';
const BRIAN = 'usr_k7m8n9p0q1r2';

/** Five users; WEB with five issues (one closed), API with two (one closed), OPS with none. */
function seed(): { users: User[]; projects: Project[]; issues: Issue[] } {
  const users: User[] = [
    { id: ADA, name: 'Ada Lovelace', email: 'ada@tracker.example.com', role: 'developer' },
    { id: BRIAN, name: 'Brian Kernighan', email: 'bwk@tracker.example.com', role: 'developer' },
    { id: 'usr_g3h4j5k6l7m8', name: 'Grace Hopper', email: 'grace@tracker.example.com', role: 'manager' },
    { id: 'usr_x9y8z7w6v5u4', name: 'Linus Torvalds', email: 'linus@tracker.example.com', role: 'viewer' },
    { id: 'usr_t1u2v3w4x5y6', name: 'Margaret Hamilton', email: 'margaret@tracker.example.com', role: 'manager' },
  ];
  const project = (id: string, key: string, name: string, visibility: Project['visibility']): Project =>
    ({ id, key, name, description: null, visibility, openIssues: 0, nextNumber: 1, createdAt: SEEDED });
  const web = project('3f6c2a1e-8b4d-4e2f-9a7c-1d2e3f4a5b6c', 'WEB', 'Web shop', 'public');
  const api = project('8e1f7d2c-4a3b-4c5d-8e6f-7a8b9c0d1e2f', 'API', 'Public API', 'internal');
  const ops = project('c0ffee00-1234-4abc-8def-0123456789ab', 'OPS', 'Operations', 'private');
  const issues: Issue[] = [];
  const issue = (p: Project, title: string, type: Issue['type'], priority: Issue['priority'], assigneeId: string | null, labels: string[], closed = false) => {
    issues.push({
      projectId: p.id, number: p.nextNumber++, title, description: null, type, priority, assigneeId, labels, dueDate: null,
      status: closed ? 'closed' : 'open', resolution: closed ? 'fixed' : null, createdAt: SEEDED, updatedAt: SEEDED, closedAt: closed ? SEEDED : null,
    });
    if (!closed) p.openIssues++;
  };
  issue(web, 'Checkout button does nothing on Safari', 'bug', 'high', ADA, ['frontend', 'checkout']);
  issue(web, 'Update the privacy page', 'task', 'low', null, [], true);
  issue(web, 'Wish lists', 'story', 'medium', null, ['frontend']);
  issue(web, 'Payment provider times out', 'bug', 'critical', BRIAN, ['payments']);
  issue(web, 'Compress product images', 'task', 'low', ADA, []);
  issue(api, 'Rate limit headers missing', 'bug', 'medium', BRIAN, ['api']);
  issue(api, 'Document the cursor format', 'task', 'low', null, ['docs'], true);
  return { users, projects: [web, api, ops], issues };
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 422: 'Unprocessable Content', 500: 'Internal Server Error',
};

export function createTrackerApp(fault?: FaultName): express.Express {
  const data = seed();
  const users = new Map(data.users.map((u) => [u.id, u]));
  const projects = new Map(data.projects.map((p) => [p.id, p]));
  /** By `<projectId>:<number>`. */
  const issues = new Map(data.issues.map((i) => [`${i.projectId}:${i.number}`, i]));
  const validate = createValidators(fault);
  const has = (name: FaultName) => fault === name;

  const sendProblem = (res: Response, status: number, detail: string) => {
    const title = TITLES[status] ?? 'Error';
    const json = status === 400 && has('validation-error-json');
    res.status(status).type(json ? 'application/json' : 'application/problem+json')
      .json({ type: `https://tracker.example.com/problems/${title.toLowerCase().replace(/ /g, '-')}`, title, status, detail });
  };
  const auth = (req: Request, _res: Response, next: NextFunction) => {
    if (/^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1] !== TRACKER_TOKEN) throw new HttpError(401, 'a valid bearer token is required');
    next();
  };
  const checked = <T>(result: { ok: true; value: T } | { ok: false; message: string }): T => {
    if (!result.ok) throw new HttpError(400, result.message);
    return result.value;
  };
  const projectById = (id: string): Project => {
    if (!UUID.test(id)) throw new HttpError(400, 'projectId must be a UUID');
    const project = projects.get(id.toLowerCase());
    if (!project) throw new HttpError(404, `no project ${id}`);
    return project;
  };
  const issueByKey = (project: Project, key: string): Issue => {
    const match = ISSUE_KEY.exec(key);
    if (!match) throw new HttpError(400, 'issueKey must look like WEB-12');
    const issue = match[1] === project.key ? issues.get(`${project.id}:${match[2]}`) : undefined;
    if (!issue) throw new HttpError(404, `no issue ${key} in project ${project.key}`);
    return issue;
  };
  const checkAssignee = (assigneeId: string | null | undefined) => {
    if (assigneeId && !users.has(assigneeId)) throw new HttpError(422, `no user ${assigneeId}`);
  };
  const openIssuesOf = (project: Project) => [...issues.values()].filter((i) => i.projectId === project.id && i.status !== 'closed');

  const projectView = (p: Project) => ({
    id: p.id, key: p.key, name: p.name, description: p.description, visibility: p.visibility, openIssues: p.openIssues, createdAt: p.createdAt.toISOString(),
  });
  const issueView = (i: Issue) => ({
    key: `${projects.get(i.projectId)?.key ?? '?'}-${i.number}`,
    ...i,
    createdAt: i.createdAt.toISOString(),
    updatedAt: has('updated-at-epoch') ? i.updatedAt.getTime() : i.updatedAt.toISOString(),
    closedAt: i.closedAt?.toISOString() ?? null,
  });

  const router = express.Router();
  router.route('/users')
    .get(auth, (req, res) => {
      const { role } = checked(validate.userQuery(req.query));
      res.json({ items: [...users.values()].filter((u) => !role || u.role === role).sort((a, b) => a.name.localeCompare(b.name)) });
    })
    .all(otherMethods(['GET'], sendProblem));

  router.route('/projects')
    .get(auth, (req, res) => {
      const { visibility, limit = 25, after } = checked(validate.projectQuery(req.query));
      const matching = [...projects.values()]
        .filter((p) => (!visibility || p.visibility === visibility) && (after === undefined || p.key > after))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id.localeCompare(b.id)));
      const page = matching.slice(0, limit);
      res.json({ items: page.map(projectView), next: matching.length > limit ? page[page.length - 1].key : null });
    })
    .post(auth, (req, res) => {
      const body = checked(validate.newProject(req.body));
      if (!has('duplicate-key-allowed') && [...projects.values()].some((p) => p.key === body.key)) throw new HttpError(409, `project key ${body.key} is in use`);
      const project: Project = {
        id: randomUUID(), key: body.key, name: body.name, description: body.description ?? null, visibility: body.visibility ?? 'private',
        openIssues: 0, nextNumber: 1, createdAt: new Date(),
      };
      projects.set(project.id, project);
      res.status(201).json(projectView(project));
    })
    .all(otherMethods(['GET', 'POST'], sendProblem));

  const projectAuth = has('get-project-auth-ignored') ? (_req: Request, _res: Response, next: NextFunction) => next() : auth;
  router.route('/projects/:projectId')
    .get(projectAuth, (req, res) => {
      res.json(projectView(projectById(req.params.projectId)));
    })
    .delete(auth, (req, res) => {
      const project = projectById(req.params.projectId);
      const open = openIssuesOf(project).length;
      if (open && !has('delete-project-with-open-issues')) throw new HttpError(409, `project ${project.key} has ${open} open issue(s)`);
      for (const [key, issue] of issues) if (issue.projectId === project.id) issues.delete(key);
      projects.delete(project.id);
      res.status(204).end();
    })
    .all(otherMethods(['GET', 'DELETE'], sendProblem));

  router.route('/projects/:projectId/issues')
    .get(auth, (req, res) => {
      const project = projectById(req.params.projectId);
      const query = checked(validate.issueQuery(req.query));
      const { limit = 25, after = 0 } = query;
      const matching = [...issues.values()]
        .filter((i) => i.projectId === project.id && i.number > after)
        .filter((i) => (!query.status || i.status === query.status) && (!query.assigneeId || i.assigneeId === query.assigneeId))
        .filter((i) => !query.priority || i.priority === query.priority || has('priority-filter-ignored'))
        .sort((a, b) => a.number - b.number);
      const page = matching.slice(0, limit);
      const last = page[page.length - 1]?.number;
      const next = matching.length > limit ? last + (has('cursor-skips') ? 1 : 0) : null;
      res.json({ items: page.map(issueView), next });
    })
    .post(auth, (req, res) => {
      const project = projectById(req.params.projectId);
      const body = checked(validate.newIssue(req.body));
      if (!has('assignee-unchecked')) checkAssignee(body.assigneeId);
      const now = new Date();
      const issue: Issue = {
        projectId: project.id, number: project.nextNumber++, title: body.title, description: body.description ?? null, type: body.type,
        priority: body.priority ?? 'medium', status: 'open', resolution: null, assigneeId: body.assigneeId ?? null,
        labels: body.labels ?? (has('labels-null') ? null : []), dueDate: body.dueDate ?? null, createdAt: now, updatedAt: now, closedAt: null,
      };
      issues.set(`${project.id}:${issue.number}`, issue);
      project.openIssues++;
      res.status(has('create-issue-200') ? 200 : 201).json(issueView(issue));
    })
    .all(otherMethods(['GET', 'POST'], sendProblem));

  router.route('/projects/:projectId/issues/:issueKey')
    .get(auth, (req, res) => {
      res.json(issueView(issueByKey(projectById(req.params.projectId), req.params.issueKey)));
    })
    .patch(auth, (req, res) => {
      const issue = issueByKey(projectById(req.params.projectId), req.params.issueKey);
      const body = checked(validate.issueUpdate(req.body));
      if (issue.status === 'closed') throw new HttpError(409, 'a closed issue cannot be changed; reopen it first');
      if (body.assigneeId === null && has('unassign-null-500')) throw new TypeError("Cannot read properties of null (reading 'toLowerCase')");
      checkAssignee(body.assigneeId);
      Object.assign(issue, body, { updatedAt: new Date() });
      res.json(issueView(issue));
    })
    .all(otherMethods(['GET', 'PATCH'], sendProblem));

  router.route('/projects/:projectId/issues/:issueKey/close')
    .post(auth, (req, res) => {
      const project = projectById(req.params.projectId);
      const issue = issueByKey(project, req.params.issueKey);
      const { resolution } = checked(validate.closing(req.body));
      const wasOpen = issue.status === 'open';
      if (!wasOpen && !has('close-twice-allowed')) throw new HttpError(409, 'the issue is already closed');
      const now = new Date();
      Object.assign(issue, { status: 'closed', resolution, closedAt: now, updatedAt: now });
      if (wasOpen && !has('open-count-stale')) project.openIssues--;
      res.json(issueView(issue));
    })
    .all(otherMethods(['POST'], sendProblem));

  router.route('/projects/:projectId/issues/:issueKey/reopen')
    .post(auth, (req, res) => {
      const project = projectById(req.params.projectId);
      const issue = issueByKey(project, req.params.issueKey);
      if (issue.status !== 'closed') throw new HttpError(409, 'the issue is not closed');
      Object.assign(issue, { status: 'open', resolution: null, closedAt: null, updatedAt: new Date() });
      project.openIssues++;
      res.json(issueView(issue));
    })
    .all(otherMethods(['POST'], sendProblem));

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.use('/api/v2', router);
  app.use((req, res) => sendProblem(res, 404, `no route ${req.method} ${path.posix.join(req.baseUrl, req.path)}`));
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) {
      if (err.status === 401) res.set('WWW-Authenticate', 'Bearer realm="tracker"');
      return sendProblem(res, err.status, err.message);
    }
    // body-parser's own errors (malformed JSON, unsupported charset…): the request is invalid.
    if (err.type && err.status && err.status < 500) return sendProblem(res, 400, err.message);
    sendProblem(res, 500, err.message);
  });
  return app;
}

export const tracker: BenchApi = {
  name: 'tracker',
  title: 'Issue tracker',
  specPath: path.join(__dirname, 'spec.yaml'),
  faults: FAULTS,
  auth: { scheme: 'bearerAuth', credential: TRACKER_TOKEN, header: 'Authorization', value: `Bearer ${TRACKER_TOKEN}` },
  schemathesisConfig: path.join(__dirname, 'schemathesis.toml'),
  start: (fault) => serve(createTrackerApp(fault as FaultName | undefined), '/api/v2'),
};
