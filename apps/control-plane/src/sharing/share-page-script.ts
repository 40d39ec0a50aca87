/**
 * The share page's script, served as a file (SHARE_SCRIPT_PATH) because the page's CSP allows no
 * inline script. Plain ES2017 for any browser: dates in the reader's own time zone, and try-it
 * (drop or choose a photo; the control plane classifies it with the result's model).
 */
export const SHARE_PAGE_SCRIPT = `'use strict';
(function () {
  var format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  document.querySelectorAll('time[datetime]').forEach(function (el) {
    var d = new Date(el.getAttribute('datetime'));
    if (!isNaN(d.getTime())) { el.title = d.toISOString(); el.textContent = format.format(d); }
  });

  var section = document.getElementById('try-it');
  // The section without a predict URL only says why this result cannot be tried.
  if (!section || !section.hasAttribute('data-predict-url')) return;
  var url = section.getAttribute('data-predict-url');
  var input = document.getElementById('try-file');
  var drop = section.querySelector('.drop');
  var out = document.getElementById('try-result');
  var preview = null;
  function pct(x) { return (x * 100).toFixed(1) + ' %'; }
  function show(nodes) { out.textContent = ''; nodes.forEach(function (n) { out.appendChild(n); }); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function classify(file) {
    if (!file) return;
    if (preview) URL.revokeObjectURL(preview);
    preview = URL.createObjectURL(file);
    var img = el('img'); img.src = preview; img.alt = 'Your photo';
    show([img, el('span', 'muted', 'Classifying…')]);
    fetch(url, { method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file })
      .then(function (res) { return res.json().then(function (body) { return { ok: res.ok, body: body }; }); })
      .then(function (r) {
        if (!r.ok) { show([img, el('span', 'error', r.body && r.body.message ? r.body.message : 'The photo could not be classified.')]); return; }
        var box = el('div');
        box.appendChild(el('div', 'label', r.body.label));
        box.appendChild(el('div', null, pct(r.body.confidence) + ' sure'));
        var scores = el('div', 'muted', Object.keys(r.body.scores).map(function (k) { return k + ': ' + pct(r.body.scores[k]); }).join(' · '));
        box.appendChild(scores);
        box.setAttribute('data-prediction', r.body.label);
        show([img, box]);
      })
      .catch(function () { show([img, el('span', 'error', 'The photo could not be sent. Check your connection and try again.')]); });
  }
  input.addEventListener('change', function () { classify(input.files && input.files[0]); });
  ['dragenter', 'dragover'].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add('over'); }); });
  ['dragleave', 'drop'].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove('over'); }); });
  drop.addEventListener('drop', function (e) { classify(e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0]); });
})();
`;
