// The briefing's print button (no inline script): delegated, so it survives htmx swaps.
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
