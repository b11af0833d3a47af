// Wide diagrams, tables, printed outputs and figures scroll sideways inside their own frame
// instead of being cut at the column's edge. A frame that does scroll says so: it gets a
// border, a hint line under it (the page's language, from book/strings.py via the theme's
// <meta>) and a keyboard stop, so that it can be scrolled without a pointer.
(function () {
  var FRAMES = ".d2l-diagram, .md-typeset__scrollwrap, .d2l-output pre, " +
    ".d2l-output__figure-frame";
  var CODE = ".md-typeset pre > code, .md-typeset .highlight > pre, .highlight-ipynb, " +
    ".jp-OutputArea-output pre";
  var hintMeta = document.querySelector('meta[name="d2l-scroll-hint"]');
  var hintText = hintMeta ? hintMeta.content : "";

  function mark(frame) {
    var scrolls = frame.scrollWidth > frame.clientWidth + 1;
    var hint = frame.nextElementSibling;
    var hasHint = hint && hint.classList.contains("d2l-scroll-hint");
    frame.classList.toggle("d2l-scrolls", scrolls);
    if (scrolls) {
      frame.tabIndex = 0;
      if (!hasHint && hintText) {
        hint = document.createElement("p");
        hint.className = "d2l-scroll-hint";
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = hintText;
        frame.after(hint);
      }
    } else {
      frame.removeAttribute("tabindex");
      if (hasHint) hint.remove();
    }
  }

  function markAll() {
    document.querySelectorAll(FRAMES).forEach(mark);
    // Code blocks scroll too (Material's, and the notebook views' cells): reachable by
    // keyboard when they do.
    document.querySelectorAll(CODE).forEach(function (code) {
      if (code.scrollWidth > code.clientWidth + 1) code.tabIndex = 0;
    });
  }

  var pending = 0;
  function later() {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(markAll);
  }
  document.addEventListener("DOMContentLoaded", function () {
    markAll();
    // A lazy image changes its frame's width when it arrives.
    document.querySelectorAll(".d2l-diagram img, .d2l-output__figure").forEach(function (img) {
      img.addEventListener("load", later);
    });
  });
  window.addEventListener("load", later);
  window.addEventListener("resize", later);
})();
