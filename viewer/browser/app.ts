/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/* app - the viewer page: sessions as they arrive, a sequence diagram per session, stepping
 *
 * Bundled by viewer/bundle.ts into the page itself (no network beyond 127.0.0.1). The
 * page gets its trace either embedded (a recorded trace / --html export) or over the
 * viewer's WebSocket (`{ type: 'events', events: [...] }` messages), and redraws with
 * the same model and SVG code the exports use.
 */
import { buildDiagram, type Diagram, type DiagramItem } from '../model/diagram.ts';
import type { TraceEvent } from '../model/trace-event.ts';
import { formatMicros } from '../model/time-axis.ts';
import { isShown, type Detail } from '../export/detail.ts';
import { renderSvg } from '../export/svg.ts';
import type { PageConfig } from './page-config.ts';
import { bindStepKeys } from './step-keys.ts';

const PLAY_STEP_MS = 400;

interface ViewState {
  events: TraceEvent[];
  diagram: Diagram;
  /** Selected session; null until the first session arrives. */
  session: number | null;
  /** The user clicked a session: stop following the newest one. */
  pinned: boolean;
  /** Index into the session's items of the current step; null shows everything. */
  step: number | null;
  detail: Detail;
  playing: ReturnType<typeof setInterval> | null;
  connection: string;
}

const config = JSON.parse(document.getElementById('smtp-lab-config')!.textContent ?? '{}') as PageConfig;
const state: ViewState = {
  events: [...(config.events ?? [])],
  diagram: buildDiagram(config.events ?? []),
  session: null,
  pinned: false,
  step: null,
  detail: 'tcp',
  playing: null,
  connection: config.wsPath ? 'connecting' : 'recorded',
};

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function sessionItems(): DiagramItem[] {
  return state.diagram.items.filter((item) => item.session === state.session && isShown(item, state.detail));
}

let redrawPending = false;
function scheduleRedraw(): void {
  if (redrawPending) return;
  redrawPending = true;
  requestAnimationFrame(() => {
    redrawPending = false;
    state.diagram = buildDiagram(state.events);
    const newest = state.diagram.sessions[state.diagram.sessions.length - 1];
    if (!state.pinned && newest) state.session = newest.id;
    drawSessions();
    drawDiagram();
  });
}

function drawSessions(): void {
  const list = $('sessions');
  list.replaceChildren(
    ...state.diagram.sessions.map((session) => {
      const li = document.createElement('li');
      li.dataset.session = String(session.id);
      li.className = [session.id === state.session ? 'selected' : '', session.decisive ? 'decisive' : ''].join(' ').trim();
      li.innerHTML = `<b>#${session.id}</b> <code>${escapeHtml(session.clientConn)}</code> <span class="when">${formatMicros(session.startUs)}</span><br><span class="outcome">${escapeHtml(session.outcome ?? '…')}</span>${session.decisive ? ' <span class="flag" title="improper command pipelining">⚠ pipelining</span>' : ''}`;
      li.addEventListener('click', () => openSession(session.id));
      return li;
    }),
  );
  $('status').textContent = `${state.connection} · ${state.events.length} events · ${state.diagram.sessions.length} sessions`;
}

function drawDiagram(): void {
  const holder = $('diagram');
  if (state.session === null) {
    holder.innerHTML = '<p class="empty">Waiting for a session…</p>';
    return;
  }
  holder.innerHTML = renderSvg(state.diagram, { session: state.session, detail: state.detail, title: `session ${state.session}` });
  applyStep();
}

function applyStep(): void {
  const items = sessionItems();
  const current = state.step === null ? null : items[state.step];
  for (const element of document.querySelectorAll<SVGGElement>('#diagram g.item')) {
    const event = Number(element.dataset.event);
    element.classList.toggle('future', current !== undefined && current !== null && event > current.event);
    element.classList.toggle('current', current !== undefined && current !== null && event === current.event);
  }
  const panel = $('step');
  if (!current) {
    panel.textContent = state.step === null ? 'Showing the whole session. Step with ← → or the buttons.' : '';
    return;
  }
  panel.textContent = `step ${state.step! + 1}/${items.length} · ${formatMicros(current.t)} · ${current.detail}\n${JSON.stringify(state.events[current.event])}`;
  scrollToCurrent();
}

/** Bring the current step to the middle of the diagram pane, vertically only (wide notes must not scroll the lanes away). */
function scrollToCurrent(): void {
  const holder = $('diagram');
  const element = holder.querySelector('g.current');
  if (!element) return;
  const box = element.getBoundingClientRect();
  const pane = holder.getBoundingClientRect();
  holder.scrollTop += box.top + box.height / 2 - (pane.top + pane.height / 2);
}

function openSession(id: number): void {
  state.session = id;
  state.pinned = true;
  state.step = null;
  drawSessions();
  drawDiagram();
}

function move(delta: number): void {
  const items = sessionItems();
  if (items.length === 0) return;
  const from = state.step ?? (delta > 0 ? -1 : items.length);
  state.step = Math.max(0, Math.min(items.length - 1, from + delta));
  applyStep();
}

function togglePlay(): void {
  if (state.playing) {
    clearInterval(state.playing);
    state.playing = null;
  } else {
    if (state.step === null || state.step >= sessionItems().length - 1) state.step = -1;
    state.playing = setInterval(() => {
      if (state.step! >= sessionItems().length - 1) togglePlay();
      else move(1);
    }, PLAY_STEP_MS);
  }
  $('play').textContent = state.playing ? '❚❚ pause' : '▶ play';
}

function jumpToFailure(): void {
  const moment = state.diagram.decisive.find((m) => m.session === state.session) ?? state.diagram.decisive[0];
  if (!moment || moment.session === null) {
    $('step').textContent = 'No improper command pipelining in this trace.';
    return;
  }
  if (moment.session !== state.session) openSession(moment.session);
  state.step = sessionItems().findIndex((item) => item.event === moment.eventIndex);
  applyStep();
}

function connect(path: string): void {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`);
  socket.addEventListener('open', () => {
    state.connection = 'live';
    drawSessions();
  });
  socket.addEventListener('close', () => {
    state.connection = 'disconnected';
    drawSessions();
  });
  socket.addEventListener('message', (message) => {
    const data = JSON.parse(String(message.data)) as { type: string; events?: TraceEvent[] };
    if (data.type === 'events' && Array.isArray(data.events)) {
      state.events.push(...data.events);
      scheduleRedraw();
    }
  });
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

$('prev').addEventListener('click', () => move(-1));
$('next').addEventListener('click', () => move(1));
$('play').addEventListener('click', togglePlay);
$('failure').addEventListener('click', jumpToFailure);
$('all').addEventListener('click', () => {
  state.step = null;
  applyStep();
});
$('detail').addEventListener('change', (event) => {
  state.detail = (event.target as HTMLSelectElement).value as Detail;
  state.step = null;
  drawDiagram();
});
bindStepKeys({ move, togglePlay, jumpToFailure });

if (config.wsPath) connect(config.wsPath);
if (state.events.length > 0) {
  state.session = state.diagram.sessions[0]?.id ?? null;
  state.pinned = true;
}
drawSessions();
drawDiagram();
