// The theme opens header links in a new tab; switching language should stay in this tab. The other edition's
// page opens at the same section (#anchor: the section ids come from the English headings in both editions) and
// with the same query (?q=... on the search page, ?highlight=...).
document.addEventListener("DOMContentLoaded", () => {
  const links = document.querySelectorAll(".dropdown-language-switcher a");
  const keep = () => {
    for (const link of links) {
      const page = link.getAttribute("href").split(/[?#]/)[0];
      link.setAttribute("href", page + window.location.search + window.location.hash);
    }
  };
  for (const link of links) {
    link.removeAttribute("target");
    link.addEventListener("click", keep);  // the hash as it is now (a reader may have followed an in-page link)
  }
  keep();
  window.addEventListener("hashchange", keep);
});
