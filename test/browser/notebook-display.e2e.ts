import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { beforeAfterTable, trainingCurves } from '../../apps/trainer/src/notebook-display';
import { accessibilityProblems } from './support/accessibility';
import { launchBrowser, screenshot, WIDTHS } from './support/browser';
import { requiredInCi } from '../support/required-in-ci';

/** Jupyter Notebook 6's own stylesheet (Debian's jupyter-notebook), which lays tables out fixed. */
const JUPYTER_CSS = ['/usr/lib/python3/dist-packages/notebook/static/style/style.min.css', '/usr/share/jupyter/notebook/static/style/style.min.css'].find(existsSync);

const rows = ['house_with_pool/aerial-photo-of-a-suburban-house-0042.jpg', 'house_without_pool/street-view-of-a-terraced-house-0117.jpg'].map((image, i) => ({
  image,
  label: i ? 'house_without_pool' : 'house_with_pool',
  before: { house_with_pool: 0.51, house_without_pool: 0.49 },
  after: { house_with_pool: i ? 0.08 : 0.93, house_without_pool: i ? 0.92 : 0.07 },
  predicted: i ? 'house_without_pool' : 'house_with_pool',
}));
const history = Array.from({ length: 50 }, (_, i) => ({ step: i * 10, trainAccuracy: Math.min(1, 0.5 + i / 60), validationAccuracy: Math.min(1, 0.45 + i / 70), crossEntropy: 0.7 / (1 + i / 5) }));

/** The HTML a notebook cell shows, in a Jupyter output area of the given width. */
async function showInJupyter(page: Page, width: number, html: string): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  await page.setContent(`<!doctype html><html lang="en"><head><title>Notebook output</title><style>${readFileSync(JUPYTER_CSS!, 'utf8')}</style></head>
    <body class="notebook_app"><main id="notebook"><div class="container" id="notebook-container"><div class="cell code_cell"><div class="output_wrapper"><div class="output">
    <div class="output_area"><div class="output_subarea output_html rendered_html output_result">${html}</div></div></div></div></div></div></main></body></html>`);
}

requiredInCi("Jupyter Notebook 6's stylesheet", !!JUPYTER_CSS, 'apt-get install -y jupyter-notebook');

describe.skipIf(!JUPYTER_CSS)("the trainer's notebook output in Jupyter 6: the before/after table and the training curves", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('shows every column of the before/after table, at 1280 and 390 px', async () => {
    const page = await browser.newPage();
    const table = await beforeAfterTable(rows);
    for (const width of WIDTHS) {
      await showInJupyter(page, width, table);
      // Every cell holds its text without cutting it (the fixed layout squeezed the last column to nothing).
      const clipped = await page.$$eval('table td, table th', (cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent));
      expect(clipped, `at ${width} px`).toEqual([]);
      // The last column can be reached: inside the table's own scroll box, not beyond the page.
      const last = await page.$eval('table tbody tr td:last-child', (td) => {
        const box = td.closest('div')!;
        const r = td.getBoundingClientRect();
        const b = box.getBoundingClientRect();
        return { right: r.right - b.left + box.scrollLeft, scrollWidth: box.scrollWidth, text: td.textContent, pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth };
      });
      expect(last.text).toMatch(/house_with_pool ✓/);
      expect(last.right).toBeLessThanOrEqual(last.scrollWidth + 1);
      expect(last.pageOverflow, `the page scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
      await screenshot(page, `notebook-display-before-after-${width}`);
      expect(await accessibilityProblems(page, `notebook-display-before-after-${width}`)).toEqual([]);
    }
    await page.close();
  });

  it("puts the accuracy chart's legend beside the curves, not over them", async () => {
    const page = await browser.newPage();
    for (const width of WIDTHS) {
      await showInJupyter(page, width, trainingCurves(history));
      const overlaps = await page.$$eval('svg', (svgs) =>
        svgs.map((svg) => {
          const frame = svg.querySelector('rect')!.getBoundingClientRect();
          return [...svg.querySelectorAll('text')].filter((t) => t.textContent!.startsWith('■')).filter((t) => {
            const r = t.getBoundingClientRect();
            return r.bottom > frame.top && r.top < frame.bottom && r.right > frame.left && r.left < frame.right;
          }).map((t) => t.textContent);
        }),
      );
      expect(overlaps.flat(), `legend inside the plot at ${width} px`).toEqual([]);
      await screenshot(page, `notebook-display-curves-${width}`);
      expect(await accessibilityProblems(page, `notebook-display-curves-${width}`)).toEqual([]);
    }
    await page.close();
  });
});
