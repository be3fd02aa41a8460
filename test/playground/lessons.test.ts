/* lessons - every lesson's links open in the lab, and every exercise's answer is what the lab shows
 *
 * An exercise is a "## Exercise" section; its state is the last playground link (index.html#…)
 * before its "Answer:" line, whose first `code` holds key=value pairs (docs/lessons/README.md).
 */
import { describe, expect, it } from 'vitest';
import { readLessons } from '../../playground/build/lessons.ts';
import { runState, type LabRun } from '../../playground/lab.ts';
import { decodeState } from '../../playground/state.ts';

const lessons = await readLessons();
const LINK = /\]\(index\.html(#[^)]*)?\)/g;

interface Exercise {
  readonly lesson: string;
  readonly title: string;
  readonly fragment: string;
  readonly answer: Record<string, string>;
}

function exercisesOf(name: string, markdown: string): Exercise[] {
  return markdown
    .split(/\n(?=## )/)
    .filter((section) => section.startsWith('## Exercise'))
    .map((section) => {
      const title = section.split('\n', 1)[0]!;
      const [question, answerText] = section.split(/\nAnswer: /);
      const links = [...question!.matchAll(LINK)];
      const code = /^`([^`]+)`/.exec(answerText ?? '');
      if (links.length === 0 || !code) throw new Error(`${name} ${title}: needs a playground link and an "Answer: \`key=value …\`" line`);
      return { lesson: name, title, fragment: links.at(-1)![1] ?? '', answer: Object.fromEntries(code[1]!.split(/\s+/).map((pair) => pair.split('=') as [string, string])) };
    });
}

function observed(run: LabRun): Record<string, string> {
  return {
    auth: run.report.client.authReply?.slice(0, 3) ?? 'none',
    backend: String(run.report.backend.connections),
    improper: String(run.report.improperPipelining.length),
    queued: String(run.report.queue.length),
  };
}

const exercises = lessons.flatMap((lesson) => exercisesOf(lesson.name, lesson.markdown));

describe('lessons', () => {
  it('are the six of issue 16, each with exercises', () => {
    expect(lessons.map((lesson) => lesson.name)).toEqual(['01-pipelining', '02-nagle-delayed-ack', '03-xclient', '04-mailu-454', '05-pr3322', '06-lockstep']);
    for (const lesson of lessons) expect(exercises.filter((exercise) => exercise.lesson === lesson.name).length, lesson.name).toBeGreaterThan(0);
  });

  it.each(lessons.flatMap((lesson) => [...lesson.markdown.matchAll(LINK)].map((link) => [lesson.name, link[1] ?? ''])))('%s links to a state the lab runs: %s', (_lesson, fragment) => {
    expect(() => runState(decodeState(fragment))).not.toThrow();
  });

  it.each(exercises.map((exercise) => [`${exercise.lesson} ${exercise.title}`, exercise]))('%s: the answer is what the lab shows', (_name, exercise) => {
    const runs = runState(decodeState(exercise.fragment));
    const shown: Record<string, string> = { ...observed(runs.main) };
    if (runs.compared) for (const [key, value] of Object.entries(observed(runs.compared))) shown[`compared.${key}`] = value;
    const checked = Object.fromEntries(Object.keys(exercise.answer).map((key) => [key, shown[key] ?? `(no ${key})`]));
    expect(checked).toEqual(exercise.answer);
  });
});
