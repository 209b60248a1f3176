// The theme opens header links in a new tab; switching language should stay in this tab.
document.addEventListener("DOMContentLoaded", () => {
  for (const link of document.querySelectorAll(".dropdown-language-switcher a")) {
    link.removeAttribute("target");
  }
});
