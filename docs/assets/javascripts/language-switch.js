// The language switch keeps the reader's place: headings carry the same anchors in both
// languages, so the twin page opens at the same section.
document$.subscribe(function () {
  document.querySelectorAll(".md-select__link[hreflang]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      // Material's own handler would open the twin without its trailing slash and anchor.
      event.stopPropagation();
      if (location.hash) {
        link.hash = location.hash;
      }
    });
  });
});
