// Material puts each code block's copy button in a <nav>: one unnamed navigation landmark per
// code block, which screen readers list next to the site's real navigation. The buttons are
// a toolbar of their block, not a way around the site; they keep their role as buttons.
window.addEventListener("load", function () {
  document.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
    nav.setAttribute("role", "none");
  });
});
