// Behaviours every page shares, written as listeners on the document instead of inline
// handlers so that the Content-Security-Policy can forbid inline script. Delegation also
// covers content that htmx swaps in later.
(function () {
  "use strict";
  // <select data-autosubmit> sends its form as soon as it changes (language, speaker fixes).
  document.addEventListener("change", (event) => {
    const select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
  // <form data-confirm="Question?"> asks before it is sent (deleting a meeting, a voice).
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();
