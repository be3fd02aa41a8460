/* run-task - what a worker thread does with a task: the same function this thread would call */
import { tallyRange } from '../differential.ts';
import { exploreCase, explorationPlan, type ExplorationPlan } from '../explore/explore-case.ts';
import { propertyById, type LabProperty } from '../suite.ts';
import { scenarioOf, type WorkKind, type WorkKinds, type WorkTask } from './executor.ts';
import { evaluateRange } from './run-ranges.ts';
import { tallyCell } from '../matrix-cell.ts';

function propertyOf(id: string): LabProperty {
  const property = propertyById(id);
  if (property === undefined) throw new Error(`no property '${id}'`);
  return property;
}

/** Plans are the same for every case of one exploration: built once per thread. */
const plans = new Map<string, ExplorationPlan>();

function planOf(task: WorkKinds['explore-case']['task']): ExplorationPlan {
  const key = JSON.stringify([task.scenario, task.property, task.bounds]);
  let plan = plans.get(key);
  if (plan === undefined) plans.set(key, (plan = explorationPlan(scenarioOf(task.scenario), propertyOf(task.property), task.bounds)));
  return plan;
}

export function runTask(task: WorkTask): WorkKinds[WorkKind]['result'] {
  switch (task.kind) {
    case 'runs':
      return evaluateRange(propertyOf(task.property), scenarioOf(task.scenario), task.seed, task.start, task.count);
    case 'cases':
      return tallyRange(task.scenarios.map(scenarioOf), task.seed, task.start, task.count);
    case 'explore-case':
      return exploreCase(planOf(task), task.index, task.bounds.maxRuns);
    case 'matrix-cell':
      return tallyCell(scenarioOf(task.scenario), task.seed, task.runs);
  }
}
