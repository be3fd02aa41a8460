/* step-keys - the keys that step through a diagram, shared by the viewer and the playground
 *
 * → and ← move one step, space plays or pauses, f jumps to the improper pipelining. Keys typed
 * into a form field are that field's, not the diagram's.
 */
export interface StepActions {
  move(by: number): void;
  togglePlay(): void;
  jumpToFailure(): void;
}

export function bindStepKeys(actions: StepActions): void {
  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement) return;
    if (event.key === 'ArrowRight') actions.move(1);
    else if (event.key === 'ArrowLeft') actions.move(-1);
    else if (event.key === ' ') actions.togglePlay();
    else if (event.key === 'f') actions.jumpToFailure();
    else return;
    event.preventDefault();
  });
}
