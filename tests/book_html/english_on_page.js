// English on a page of the Chinese edition (tests/book_html/test_readers.py): evaluated in the page, returns the runs found.
() => {
  // English on a page of the Chinese edition, outside code, outputs, the API's docstrings and quotations:
  // sentences (four words or more, one of them a small word of English grammar) anywhere, and interface words
  // (two words or more, not a name) in the page's chrome and in tooltips.
  const skip = "pre, code, kbd, samp, .cell_output, .output, .highlight, script, style, .math, mjx-container, .MathJax, dl.py, .sig, .hfbook-docstring";
  const block = "p, li, td, th, h1, h2, h3, h4, h5, h6, dt, dd, caption, figcaption, a, button, label, summary, span.caption-text, div, section, article";
  const groups = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip) || el.closest("[hidden]")) continue;
    const key = el.closest(block) || el;
    groups.set(key, (groups.get(key) || "") + n.textContent);
  }
  const texts = [...groups.entries()].map(([el, t]) => [t, !el.closest("article")]);
  for (const el of document.querySelectorAll("[title], [data-bs-title], [aria-label], [placeholder], [data-tooltip]")) {
    if (el.closest(skip)) continue;
    for (const a of ["title", "data-bs-title", "aria-label", "placeholder", "data-tooltip"])
      if (el.getAttribute(a)) texts.push([el.getAttribute(a), true]);
  }
  const quoted = /“[^”]*”|"[^"]*"|‘[^’]*’|「[^」]*」|《[^》]*》/g;
  const run = /[A-Za-z][A-Za-z'’-]*(?:[ \u00a0]+[A-Za-z][A-Za-z'’-]*)+/g;
  const small = new Set(["the", "a", "an", "of", "to", "is", "are", "and", "in", "on", "with", "for", "it", "that",
                         "this", "by", "from", "be", "not", "you", "your", "at", "as", "or", "can", "will"]);
  const out = [];
  for (const [t, chrome] of texts) {
    for (const m of t.replace(quoted, " ").matchAll(run)) {
      const words = m[0].split(/[ \u00a0]+/);
      if (words.every((w) => /^[A-Z]/.test(w))) continue;  // a name: Stanford Sentiment Treebank
      if (chrome || (words.length >= 4 && words.some((w) => small.has(w.toLowerCase())))) out.push(m[0]);
    }
  }
  return [...new Set(out)];
}
