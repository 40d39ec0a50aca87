import { describe, expect, it } from 'vitest';
import { markdownToHtml, notebookToHtml } from './notebook-html';

describe('notebooks rendered as inert HTML', () => {
  it('renders a small markdown subset with everything else escaped', () => {
    const html = markdownToHtml('# Title\nSome **bold** and *it* and `code` <b>raw</b>\n\n- one\n- two\n\n```\n<script>x</script>\n```\n[ok](https://example.org/a) [bad](javascript:alert(1))');
    expect(html).toContain('<h2>Title</h2>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>it</em>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('&lt;b&gt;raw&lt;/b&gt;');
    expect(html).toContain('<ul><li>one</li><li>two</li></ul>');
    expect(html).toContain('<pre><code>&lt;script&gt;x&lt;/script&gt;</code></pre>');
    expect(html).toContain('<a href="https://example.org/a" rel="nofollow noopener noreferrer" target="_blank">ok</a>');
    expect(html).not.toContain('href="javascript');
  });

  it('shows code, text and PNG/JPEG outputs, and never passes HTML or JavaScript outputs through', () => {
    const html = notebookToHtml({
      nbformat: 4,
      cells: [
        { cell_type: 'code', execution_count: 3, source: ['x = "<img src=x onerror=alert(1)>"'], outputs: [
          { output_type: 'stream', name: 'stderr', text: '\u001b[31mwarn\u001b[0m <b>' },
          { output_type: 'display_data', data: { 'text/html': '<script>alert(2)</script>', 'application/javascript': 'alert(3)' } },
          { output_type: 'execute_result', data: { 'image/png': 'iVBORw0KGgo=\n', 'text/plain': 'fig' } },
          { output_type: 'display_data', data: { 'image/png': '"><script>alert(4)</script>' } },
          { output_type: 'error', ename: 'ValueError', evalue: '<bad>', traceback: ['\u001b[0;31mTraceback'] },
        ] },
        { cell_type: 'raw', source: '<iframe>' },
      ],
    });
    expect(html).toContain('[3]');
    expect(html).toContain('x = &quot;&lt;img src=x onerror=alert(1)&gt;&quot;');
    expect(html).toContain('<pre class="out stderr">warn &lt;b&gt;</pre>');
    expect(html).not.toMatch(/alert\((2|3|4)\)/);
    expect(html).toContain('(text/html, application/javascript output is not shown here)');
    expect(html).toContain('<img alt="output image" src="data:image/png;base64,iVBORw0KGgo=">');
    expect(html).toContain('ValueError: &lt;bad&gt;');
    expect(html).toContain('&lt;iframe&gt;');
    expect(html).not.toMatch(/<(script|iframe)/);
  });

  it('explains notebooks it cannot show', () => {
    expect(notebookToHtml({ nbformat: 3, worksheets: [] })).toMatch(/cannot be shown/);
    expect(notebookToHtml('nope')).toMatch(/cannot be shown/);
  });
});
