// The page's interface words in the edition's language (book/_ext/ui_strings.py): what other scripts added to the
// page (sphinx-togglebutton's buttons) once it has loaded, and whatever they add later.
(() => {
  const strings = window.hfbookUiStrings || {};
  const attributes = ["title", "aria-label", "data-bs-title", "data-tooltip", "data-toggle-hint", "placeholder"];
  const translate = (root) => {
    for (const el of root.querySelectorAll("*")) {
      for (const a of attributes) {
        const value = el.getAttribute(a);
        if (value && strings[value.trim()]) el.setAttribute(a, strings[value.trim()]);
      }
      if (el.childElementCount === 0 && strings[el.textContent.trim()]) el.textContent = strings[el.textContent.trim()];
    }
  };
  window.addEventListener("load", () => {
    translate(document);
    new MutationObserver((changes) => {
      for (const change of changes) for (const node of change.addedNodes) if (node.nodeType === 1) translate(node.parentElement || node);
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
