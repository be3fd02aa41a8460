/* lessons - docs/lessons/*.md as pages of the playground site, beside index.html
 *
 * A lesson links to playground states as `index.html#STATE`, so its links work on the built
 * site unchanged (a lesson page sits next to index.html). The Markdown is the small subset the
 * lessons use: headings, paragraphs, lists, fenced code, `code`, **bold**, [links](…), and
 * "Answer:" paragraphs, which the page folds away so a class can try first.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const LESSONS_DIR = fileURLToPath(new URL('../../docs/lessons/', import.meta.url));

export interface Lesson {
  /** File name without .md ("01-pipelining"). */
  readonly name: string;
  readonly title: string;
  readonly markdown: string;
}

export async function readLessons(dir = LESSONS_DIR): Promise<Lesson[]> {
  const files = (await readdir(dir)).filter((file) => /^\d\d-.*\.md$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const markdown = await readFile(`${dir}${file}`, 'utf8');
      return { name: file.replace(/\.md$/, ''), title: /^# (.+)$/m.exec(markdown)?.[1] ?? file, markdown };
    }),
  );
}

export const lessonPageFile = (lesson: Lesson): string => `lesson-${lesson.name}.html`;

export function lessonHtml(lesson: Lesson, style: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(lesson.title)}</title><style>${style}</style></head>
<body class="lesson"><article>
<p><a href="index.html">← the playground</a></p>
${markdownHtml(lesson.markdown)}
</article></body></html>
`;
}

/** The lessons' Markdown subset as HTML. */
export function markdownHtml(markdown: string): string {
  const out: string[] = [];
  // Blocks are separated by blank lines (the lessons keep code blocks free of them).
  const blocks = markdown.replace(/\r\n/g, '\n').split(/\n{2,}/);
  for (const block of blocks.map((b) => b.trim()).filter(Boolean)) {
    const heading = /^(#{1,4}) (.+)$/.exec(block);
    if (heading && !block.includes('\n')) out.push(`<h${heading[1]!.length}>${inline(heading[2]!)}</h${heading[1]!.length}>`);
    else if (block.startsWith('```')) out.push(`<pre><code>${escapeHtml(block.replace(/^```\w*\n?/, '').replace(/\n?```$/, ''))}</code></pre>`);
    else if (/^(- |\d+\. )/.test(block)) {
      const tag = block.startsWith('- ') ? 'ul' : 'ol';
      const items = block.split(/\n(?=- |\d+\. )/).map((item) => `<li>${inline(item.replace(/^(- |\d+\. )/, ''))}</li>`);
      out.push(`<${tag}>${items.join('')}</${tag}>`);
    } else if (block.startsWith('Answer:')) out.push(`<details class="answer"><summary>answer</summary><p>${inline(block.slice('Answer:'.length).trim())}</p></details>`);
    else if (block.startsWith('> ')) out.push(`<blockquote><p>${inline(block.replace(/^> ?/gm, ''))}</p></blockquote>`);
    else out.push(`<p>${inline(block)}</p>`);
  }
  return out.join('\n');
}

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_all, label: string, href: string) => `<a href="${href}">${label}</a>`);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
