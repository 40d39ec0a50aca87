/**
 * What Trialhub changes in Jupyter Notebook 6's own pages, through Jupyter's documented
 * customisation folder (`$JUPYTER_CONFIG_DIR/custom/custom.{js,css}`, served by Jupyter from the
 * notebook's origin; the proxy injects nothing): a visible way back to the session page (as
 * JupyterHub's "Control Panel"), and no "Logout" of Jupyter's own — leaving means the portal.
 */
export function notebookUiFiles(sessionPageUrl: string): Record<string, string> {
  const url = new URL(sessionPageUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`The session page must be an http(s) URL, not ${url.protocol}`);
  return {
    'custom/custom.css': [
      '/* Trialhub: Jupyter\'s own log-out would only forget this notebook\'s cookie; the portal is where people log out. */',
      '#login_widget, #logout { display: none !important; }',
      '#trialhub-back { float: right; margin: 8px 0 8px 12px; }',
      '#trialhub-back a { display: inline-block; padding: 4px 10px; border: 1px solid #1d4ed8; border-radius: 4px; color: #1d4ed8; background: #fff; font-weight: 600; text-decoration: none; }',
      '#trialhub-back a:hover, #trialhub-back a:focus { background: #1d4ed8; color: #fff; }',
      '',
    ].join('\n'),
    'custom/custom.js': [
      '// Trialhub: the link back to this session in the portal, on every Jupyter page (tree, notebook, editor, terminal).',
      '(function () {',
      `  var SESSION_PAGE = ${JSON.stringify(url.toString())};`,
      '  function addLink() {',
      "    var header = document.getElementById('header-container');",
      "    if (!header || document.getElementById('trialhub-back')) return;",
      "    var box = document.createElement('span');",
      "    box.id = 'trialhub-back';",
      "    var a = document.createElement('a');",
      '    a.href = SESSION_PAGE;',
      "    a.textContent = 'Trialhub session';",
      "    a.title = 'Back to this session in Trialhub: stop it, see its results, log out';",
      '    box.appendChild(a);',
      '    header.appendChild(box);',
      '  }',
      "  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', addLink); else addLink();",
      '})();',
      '',
    ].join('\n'),
  };
}
