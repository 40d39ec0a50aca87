import { describe, expect, it } from 'vitest';
import { notebookUiFiles } from './notebook-ui';

describe("Jupyter's pages, as Trialhub changes them", () => {
  const files = notebookUiFiles('https://trialhub.example/sessions/5f0c2a9e-0000-4000-8000-000000000001');

  it('link back to the session page in the portal', () => {
    expect(files['custom/custom.js']).toContain('var SESSION_PAGE = "https://trialhub.example/sessions/5f0c2a9e-0000-4000-8000-000000000001";');
    expect(files['custom/custom.js']).toContain("a.textContent = 'Trialhub session'");
  });

  it("hide Jupyter's own Logout", () => {
    expect(files['custom/custom.css']).toMatch(/#login_widget, #logout \{ display: none !important; \}/);
  });

  it('link only to http(s), written as a JavaScript string', () => {
    expect(() => notebookUiFiles('javascript:alert(1)')).toThrow(/http\(s\)/);
    expect(notebookUiFiles('https://x.example/s/"</script>')['custom/custom.js']).not.toContain('"</script>');
  });
});
