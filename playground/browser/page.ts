/// <reference lib="dom" />
/* page - the playground: a scenario and its knobs, a run drawn beside the fixed proxy, stepping, and "find a failure"
 *
 * Everything the page shows follows from one PlaygroundState, kept in the URL fragment
 * (playground/state.ts): a change of any control writes the fragment, and opening or editing
 * a fragment redraws. Runs happen on the page's thread (a session takes milliseconds); the
 * search runs in a worker made from this same script. Every error (a broken link, a pasted
 * scenario that does not parse, a value out of range) is shown in words in #error.
 */
import { FRONT_SCENARIOS } from '../../scenarios/fronts.ts';
import { BUILTIN_NAMES, type ScenarioKey } from '../../scenarios/index.ts';
import type { FrontKind } from '../../models/front/config.ts';
import type { Detail } from '../../viewer/export/detail.ts';
import { traceJsonLines } from '../../viewer/export/jsonl.ts';
import { formatMicros } from '../../viewer/model/time-axis.ts';
import type { TraceEvent } from '../../viewer/model/trace-event.ts';
import { bindStepKeys } from '../../viewer/browser/step-keys.ts';
import type { FindProgress } from '../find-failure.ts';
import { runState, type LabRun, type StateRuns } from '../lab.ts';
import { DEFAULT_STATE, decodeState, encodeState, type Comparison, type PlaygroundState } from '../state.ts';
import { explainEvent } from '../tcp-story.ts';
import { writeFileSync } from '../shims/fs.ts';
import { renderKnobs } from './controls.ts';
import { drawPane, showMoment, type DrawnPane } from './panes.ts';
import type { WorkerMessage, WorkerRequest } from './worker.ts';

/** The file name a pasted scenario is read under (and that a replay token of it names). */
export const PASTED_FILE = 'pasted.json';
const PLAY_STEP_MS = 500;
const FIND_RUNS = 200;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

let state: PlaygroundState = DEFAULT_STATE;
let main: DrawnPane | null = null;
let compared: DrawnPane | null = null;
/** The main pane's trace, for the words at each step. */
let mainEvents: readonly TraceEvent[] = [];
let playing: ReturnType<typeof setInterval> | null = null;
let search: Worker | null = null;

export function startPage(): void {
  bindControls();
  window.addEventListener('hashchange', () => openFragment(location.hash));
  openFragment(location.hash);
}

/** Show the state a fragment names; a bad fragment is reported and the default shown instead. */
function openFragment(fragment: string): void {
  try {
    state = decodeState(fragment);
    showError(null);
  } catch (error) {
    state = DEFAULT_STATE;
    showError(`this link does not name a playground state: ${(error as Error).message}`);
  }
  redraw();
}

/** Change the state: the fragment first (so the URL always names what is shown), then the page. */
function setState(next: PlaygroundState): void {
  state = next;
  const fragment = encodeState(state);
  history.replaceState(null, '', fragment === '' ? location.pathname : `#${fragment}`);
  showError(null);
  redraw();
}

function redraw(): void {
  stopPlaying();
  syncInputs();
  let runs: StateRuns;
  try {
    if (state.pasted !== null) writeFileSync(state.scenario, state.pasted);
    runs = runState(state);
  } catch (error) {
    showError((error as Error).message);
    clearPanes('Nothing to draw: fix the scenario or the link above.');
    return;
  }
  renderKnobs($('knobs'), runs.main.scenario, setKnob);
  $('outcome').textContent = [outcomeLine(runs.main), runs.compared ? outcomeLine(runs.compared) : runs.comparisonNote ?? 'no comparison'].join('\n');
  $('case').textContent = runs.counterexample
    ? `Shrunk counterexample (${runs.counterexample.token.property}, fast-check seed ${runs.counterexample.token.seed}, path ${runs.counterexample.token.path}): ${runs.counterexample.verdict}\n${JSON.stringify(runs.counterexample.labCase, null, 1)}`
    : '';
  $<HTMLTextAreaElement>('trace-jsonl').value = traceJsonLines(runs.main.events);
  mainEvents = runs.main.events;
  main = drawPane($('diagram-main'), runs.main.events, state.detail, paneTitle(runs.main));
  compared = runs.compared ? drawPane($('diagram-compare'), runs.compared.events, state.detail, paneTitle(runs.compared)) : null;
  $('panes').classList.toggle('single', state.compare === 'none');
  if (!compared) $('diagram-compare').innerHTML = `<p class="empty">${escapeHtml(runs.comparisonNote ?? 'No comparison (compare: none).')}</p>`;
  $('title-main').textContent = paneTitle(runs.main);
  $('title-compare').textContent = runs.compared ? paneTitle(runs.compared) : '';
  // Since navigation began (performance's time origin): loading, parsing the bundle, the run and drawing (BENCHMARKS.md).
  if (document.body.dataset.firstDiagramMs === undefined) document.body.dataset.firstDiagramMs = performance.now().toFixed(0);
  applyStep();
}

function paneTitle(run: LabRun): string {
  const front = run.scenario.get('front.model');
  const forbid = run.scenario.get('postfix.smtpd_forbid_unauth_pipelining');
  return `${run.scenario.name}: ${front} → Postfix ${run.scenario.get('postfix.mail_version')} (forbid_unauth_pipelining=${forbid})`;
}

function outcomeLine(run: LabRun): string {
  const client = run.report.client;
  const auth = client.authReply === null ? 'no AUTH reply' : `AUTH → ${client.authReply}${client.authToReplyMs === null ? '' : ` after ${client.authToReplyMs.toFixed(3)} ms`}`;
  const improper = run.report.improperPipelining.length > 0 ? `; Postfix logged improper pipelining ${run.report.improperPipelining.length}×` : '';
  return `${paneTitle(run)}\n   ${auth}; ${run.report.backend.connections} backend connection(s)${improper}`;
}

function clearPanes(message: string): void {
  main = null;
  compared = null;
  for (const id of ['diagram-main', 'diagram-compare']) $(id).innerHTML = `<p class="empty">${escapeHtml(message)}</p>`;
  for (const id of ['outcome', 'case', 'step', 'title-main', 'title-compare']) $(id).textContent = '';
  $<HTMLTextAreaElement>('trace-jsonl').value = '';
}

function showError(message: string | null): void {
  const box = $('error');
  box.textContent = message ?? '';
  box.hidden = message === null;
}

/** Inputs that mirror the state (the knobs are rebuilt from the scenario on every run). */
function syncInputs(): void {
  const select = $<HTMLSelectElement>('scenario');
  const names = state.pasted !== null ? [...BUILTIN_NAMES, state.scenario] : BUILTIN_NAMES.includes(state.scenario) ? BUILTIN_NAMES : [...BUILTIN_NAMES, state.scenario];
  select.replaceChildren(...names.map((name) => new Option(BUILTIN_NAMES.includes(name) ? name : `${name} (pasted)`, name, false, name === state.scenario)));
  $<HTMLInputElement>('seed').value = String(state.seed);
  $<HTMLSelectElement>('compare').value = state.compare;
  $<HTMLSelectElement>('detail').value = state.detail;
  if (state.pasted !== null) $<HTMLTextAreaElement>('paste').value = state.pasted;
  $<HTMLInputElement>('share-url').value = location.href;
  $('replaying').textContent = state.replay === null ? '' : 'showing a replayed counterexample: change any knob to leave it';
}

function setKnob(key: ScenarioKey, value: string): void {
  let sets = state.sets.filter((set) => !set.startsWith(`${key}=`));
  // A front reads only its own front.* keys (scenarios/fronts.ts): drop the old front's when switching.
  if (key === 'front.model' && value in FRONT_SCENARIOS) {
    const reads: readonly string[] = FRONT_SCENARIOS[value as FrontKind].keys;
    sets = sets.filter((set) => !set.startsWith('front.') || reads.includes(set.split('=')[0]!));
  }
  setState({ ...state, sets: [...sets, `${key}=${value}`], replay: null, step: null });
}

function currentItems() {
  return main?.items ?? [];
}

function applyStep(): void {
  const items = currentItems();
  const index = state.step === null ? null : Math.min(state.step, items.length) - 1;
  const current = index === null || index < 0 ? null : items[index] ?? null;
  if (main) showMoment(main, current, true);
  if (compared) showMoment(compared, current, false);
  const panel = $('step');
  if (!main) return;
  if (!current) {
    panel.textContent = 'Showing the whole trace. Step with ← → (or the buttons), play with space, jump to the failure with f.';
    return;
  }
  const words = explainEvent(mainEvents, current.event);
  panel.textContent = `step ${index! + 1}/${items.length} · ${formatMicros(current.t)} · ${current.detail}${words ? `\n${words}` : ''}`;
}

function move(delta: number): void {
  const count = currentItems().length;
  if (count === 0) return;
  const from = state.step ?? (delta > 0 ? 0 : count + 1);
  stepTo(Math.max(1, Math.min(count, from + delta)));
}

function stepTo(step: number | null): void {
  state = { ...state, step };
  history.replaceState(null, '', `#${encodeState(state)}`);
  $<HTMLInputElement>('share-url').value = location.href;
  applyStep();
}

function togglePlay(): void {
  if (playing) return stopPlaying();
  if (state.step === null || state.step >= currentItems().length) stepTo(1);
  playing = setInterval(() => (state.step !== null && state.step >= currentItems().length ? stopPlaying() : move(1)), PLAY_STEP_MS);
  $('play').textContent = '❚❚ pause';
}

function stopPlaying(): void {
  if (playing) clearInterval(playing);
  playing = null;
  $('play').textContent = '▶ play';
}

function jumpToFailure(): void {
  const moment = main?.diagram.decisive[0];
  if (!main || !moment) {
    $('step').textContent = 'No improper command pipelining in this trace.';
    return;
  }
  stepTo(main.items.findIndex((item) => item.event === moment.eventIndex) + 1);
}

function findFailure(): void {
  search?.terminate();
  const script = document.getElementById('playground-script')!.textContent ?? '';
  const worker = new Worker(URL.createObjectURL(new Blob([script], { type: 'text/javascript' })));
  search = worker;
  const progress = $('progress');
  progress.textContent = 'searching…';
  const request: WorkerRequest = { scenario: state.scenario, pasted: state.pasted, sets: state.sets, seed: state.seed, runs: FIND_RUNS };
  worker.addEventListener('message', (message: MessageEvent<WorkerMessage>) => {
    const reply = message.data;
    if (reply.type === 'progress') progress.textContent = progressText(reply.progress);
    else {
      worker.terminate();
      search = null;
      if (reply.type === 'error') {
        progress.textContent = 'search failed';
        showError(reply.message);
      } else if (reply.result.token === null) {
        progress.textContent = `not found in ${reply.result.traces} generated traces${reply.result.notApplicable ? `: ${reply.result.notApplicable}` : ''}`;
      } else {
        const r = reply.result;
        progress.textContent = `found after ${r.tracesToFailure} generated traces, shrunk in ${r.shrinks} steps: ${r.verdict}`;
        setState({ ...state, replay: r.token, step: null });
        jumpToFailure();
      }
    }
  });
  worker.addEventListener('error', (event) => {
    progress.textContent = 'search failed';
    showError(`the search worker failed: ${event.message}`);
  });
  worker.postMessage(request);
}

function progressText(progress: FindProgress): string {
  return progress.phase === 'search' ? `searching: ${progress.traces} generated traces…` : `shrinking the failure: ${progress.tried} smaller traces tried, ${progress.smaller} still fail…`;
}

function bindControls(): void {
  $('scenario').addEventListener('change', (event) => {
    const name = (event.target as HTMLSelectElement).value;
    setState({ ...state, scenario: name, pasted: name === state.scenario ? state.pasted : null, sets: [], replay: null, step: null });
  });
  $('paste-apply').addEventListener('click', () => {
    setState({ ...state, scenario: PASTED_FILE, pasted: $<HTMLTextAreaElement>('paste').value, sets: [], replay: null, step: null });
  });
  $('seed').addEventListener('change', (event) => {
    const seed = Number((event.target as HTMLInputElement).value);
    if (Number.isSafeInteger(seed) && seed >= 0) setState({ ...state, seed, replay: null, step: null });
    else showError(`seed must be a whole number from 0, got '${(event.target as HTMLInputElement).value}'`);
  });
  $('compare').addEventListener('change', (event) => setState({ ...state, compare: (event.target as HTMLSelectElement).value as Comparison }));
  $('detail').addEventListener('change', (event) => setState({ ...state, detail: (event.target as HTMLSelectElement).value as Detail, step: null }));
  $('run').addEventListener('click', () => setState({ ...state, replay: null, step: null }));
  $('find').addEventListener('click', findFailure);
  $('fit').addEventListener('change', (event) => $('panes').classList.toggle('fit', (event.target as HTMLInputElement).checked));
  $('prev').addEventListener('click', () => move(-1));
  $('next').addEventListener('click', () => move(1));
  $('play').addEventListener('click', togglePlay);
  $('failure').addEventListener('click', jumpToFailure);
  $('all').addEventListener('click', () => stepTo(null));
  bindStepKeys({ move, togglePlay, jumpToFailure });
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
