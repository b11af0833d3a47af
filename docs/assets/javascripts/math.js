// Typesets the formulas of every page Material shows (document$ also fires after instant
// navigation) with the KaTeX copy served by the site itself.
document$.subscribe(function ({ body }) {
  // pymdownx.arithmatex (generic) wraps inline math as <span class="arithmatex">\(..\)</span>
  // and display math as <div class="arithmatex">\[..\]</div>.
  body.querySelectorAll(".arithmatex").forEach(function (element) {
    const source = element.textContent.trim();
    const tex = source.replace(/^\\[([]/, "").replace(/\\[)\]]$/, "");
    // A formula KaTeX cannot parse is shown in red with its error instead of stopping the page.
    katex.render(tex, element, { displayMode: element.tagName === "DIV", throwOnError: false });
  });
  // Notebook views (mkdocs-jupyter) keep the notebook's own $...$ delimiters.
  body.querySelectorAll(".jupyter-wrapper").forEach(function (notebook) {
    renderMathInElement(notebook, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
      ],
      ignoredClasses: ["highlight", "jp-OutputArea"],
      throwOnError: false,
    });
  });
});
