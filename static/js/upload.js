// The upload form: show progress for large files (the browser sends them in the background),
// then follow the redirect to the new meeting, or show the form again with its errors.
(function () {
  "use strict";
  document.querySelectorAll(".upload-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.XMLHttpRequest || !form.querySelector("input[type=file]").files.length) return;
      event.preventDefault();
      const bar = form.querySelector(".upload-progress");
      bar.hidden = false;
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total;
      };
      xhr.onload = () => {
        if (xhr.responseURL && xhr.responseURL !== window.location.href && xhr.status < 400) {
          window.location = xhr.responseURL;
          return;
        }
        document.open();
        document.write(xhr.responseText);
        document.close();
      };
      xhr.send(new FormData(form));
    });
  });
})();
