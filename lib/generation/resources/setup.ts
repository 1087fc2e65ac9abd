import { objectShape, type OperationParameter } from '../../openapi';
import type { PlannedCase } from '../case-draft';
import type { OperationPlan } from '../operation-plan';
import type { TestStep } from '../types';
import { variableName } from '../variables';
import { stepsOf } from './happy';
import { pathParameterProducer, referenceProducer, type Producer } from './producers';

/**
 * Resources, not placeholders: every request that names an existing resource (a path parameter,
 * a body field like `patientId`) gets it from a resource the test created first (or listed), and
 * uses its real id. The steps that make it are marked `setup`: when one fails, the case's
 * precondition failed, which says nothing about the operation under test.
 */

const MAX_DEPTH = 4;
const MAX_SETUP_STEPS = 6;

interface CaseSetup {
  steps: TestStep[];
  /** Producer key → the variable holding its id. */
  produced: Map<string, string>;
  names: Set<string>;
}

const producerKey = (producer: Producer) => `${producer.plan.operation.operationId}#${producer.pointer}`;

function happyRequest(plan: OperationPlan) {
  const first = plan.cases[0];
  return structuredClone(first.steps ? first.steps[first.steps.length - 1].request : first.request);
}

function fresh(setup: CaseSetup, base: string): string {
  let name = variableName(base);
  for (let i = 2; setup.names.has(name); i++) name = variableName(`${base}${i}`);
  setup.names.add(name);
  return name;
}

/** The target a case varies on purpose (`body.patientId`, `path.petId`): left as the case has it. */
function variedTarget(testCase: PlannedCase): { in: string; name: string } | undefined {
  const rest = testCase.id.slice(testCase.operationId.length + 1).split('/').slice(1).join('/');
  const match = /^(path|query|header|body)\.([^.]+)/.exec(rest);
  return match ? { in: match[1], name: match[2] } : undefined;
}

/** Top-level body fields that name another resource, with their producers. */
function bodyReferences(plans: OperationPlan[], plan: OperationPlan, body: unknown): [string, Producer][] {
  const schema = plan.operation.requestBody?.schema;
  if (!schema || typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  const references: [string, Producer][] = [];
  for (const [name, property] of objectShape(schema)?.properties ?? []) {
    if (!(name in body) || property.readOnly === true) continue;
    const producer = referenceProducer(plans, name, property);
    if (producer && producer.plan !== plan) references.push([name, producer]);
  }
  return references;
}

class SetupPlanner {
  private readonly byId: Map<string, OperationPlan>;

  /** Each operation's happy request as planned, before any case of it got setup steps. */
  private readonly happy: Map<OperationPlan, ReturnType<typeof happyRequest>>;

  constructor(private readonly plans: OperationPlan[]) {
    this.byId = new Map(plans.map((plan) => [plan.operation.operationId, plan]));
    this.happy = new Map(plans.filter((plan) => plan.cases[0]?.kind === 'happy-path').map((plan) => [plan, happyRequest(plan)]));
  }

  /** The variable holding the id `producer` yields, adding its steps (and its own prerequisites) first. */
  private ensure(setup: CaseSetup, producer: Producer, depth: number): string | undefined {
    const key = producerKey(producer);
    const known = setup.produced.get(key);
    if (known) return known;
    if (depth > MAX_DEPTH || setup.steps.length >= MAX_SETUP_STEPS) return undefined;
    const { operation } = producer.plan;
    const step: TestStep = {
      name: fresh(setup, producer.kind === 'create' ? `new_${producer.resource}` : `listed_${producer.resource}`),
      operationId: operation.operationId,
      method: operation.method,
      path: operation.path,
      request: structuredClone(this.happy.get(producer.plan) ?? happyRequest(producer.plan)),
      expectedStatus: producer.plan.successStatus,
      setup: true,
    };
    if (!this.bindStep(setup, step, producer.plan, undefined, depth + 1)) return undefined;
    const variable = fresh(setup, `${producer.resource}_${producer.pointer.split('/').pop() ?? 'id'}`);
    step.capture = { [variable]: producer.pointer };
    setup.steps.push(step);
    setup.produced.set(key, variable);
    return variable;
  }

  /** Binds the step's path parameters and resource-naming body fields to produced ids; false when one cannot be produced. */
  private bindStep(setup: CaseSetup, step: TestStep, plan: OperationPlan, varied: { in: string; name: string } | undefined, depth: number): boolean {
    for (const parameter of plan.operation.parameters.filter((p: OperationParameter) => p.in === 'path')) {
      if (step.bind?.[parameter.name] || (varied?.in === 'path' && varied.name === parameter.name)) continue;
      const producer = pathParameterProducer(this.plans, plan.operation.path, parameter.name);
      if (!producer || producer.plan === plan) continue;
      const variable = this.ensure(setup, producer, depth);
      if (!variable) return false;
      step.bind = { ...step.bind, [parameter.name]: variable };
      delete step.request.pathParams[parameter.name];
    }
    for (const [field, producer] of bodyReferences(this.plans, plan, step.request.body)) {
      if (varied?.in === 'body' && varied.name === field) continue;
      const variable = this.ensure(setup, producer, depth);
      if (!variable) return false;
      step.bindBody = { ...step.bindBody, [`/${field}`]: variable };
    }
    return true;
  }

  /**
   * A valid value at a limit of a field that names another resource (`authorId` at its minimum, 1)
   * names a resource only if one happens to have that id: such a case proves nothing either way.
   */
  variesAReference(testCase: PlannedCase): boolean {
    const varied = variedTarget(testCase);
    const plan = this.byId.get(testCase.operationId);
    if (testCase.kind !== 'at-boundary' || varied?.in !== 'body' || !plan) return false;
    return bodyReferences(this.plans, plan, testCase.request.body).some(([field]) => field === varied.name);
  }

  /** The case with setup steps before its own, or unchanged when it needs none (or one cannot be built). */
  withSetup(testCase: PlannedCase): PlannedCase {
    const setup: CaseSetup = { steps: [], produced: new Map(), names: new Set() };
    const own = structuredClone(stepsOf(testCase));
    for (const step of own) setup.names.add(step.name);
    const varied = variedTarget(testCase);
    for (const step of own) {
      const plan = this.byId.get(step.operationId);
      if (!plan || !this.bindStep(setup, step, plan, step.operationId === testCase.operationId ? varied : undefined, 0)) return testCase;
    }
    if (!setup.steps.length) return testCase;
    // A multi-step case's request is its operation's own step; a single step's is that step.
    return { ...testCase, request: testCase.steps ? testCase.request : own[0].request, steps: [...setup.steps, ...own] };
  }
}

/** Every case of every operation gets the resources it needs created first. */
export function addResourceSetup(plans: OperationPlan[]): void {
  const planner = new SetupPlanner(plans);
  for (const plan of plans) plan.cases = plan.cases.filter((testCase) => !planner.variesAReference(testCase)).map((testCase) => planner.withSetup(testCase));
}
