/* step-nav - the stepping buttons above a diagram, in the viewer's page and the playground's (keys: browser/step-keys.ts) */

/** `unit` is what one step is: an event of the trace (viewer) or a step of the story (playground). */
export function stepNavButtons(unit: string): string {
  return `<button id="prev" title="previous ${unit} (←)">◀ prev</button>
<button id="next" title="next ${unit} (→)">next ▶</button>
<button id="play" title="play (space)">▶ play</button>
<button id="failure" title="jump to the improper pipelining (f)">⚠ jump to failure</button>
<button id="all">show all</button>`;
}
