/* Tap or click a figure to see it enlarged: the wide drawing over the whole window, which a
 * phone can scroll and pinch. Escape, the close button or a tap outside the drawing closes it. */
(function () {
  "use strict";
  const FIGURES = "main picture.rnn-figure img";
  // The page's language is that of its edition (rnncourse/site/editions.py).
  const WORDS = {
    en: { enlarged: "Enlarged figure", close: "Close", enlarge: "Enlarge" },
    "zh-CN": { enlarged: "放大的图", close: "关闭", enlarge: "放大" },
  };
  const words = WORDS[document.documentElement.lang] || WORDS.en;

  function enlarge(img) {
    const dialog = document.createElement("dialog");
    dialog.className = "rnn-enlarged";
    dialog.setAttribute("aria-label", words.enlarged);
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = words.close;
    close.addEventListener("click", () => dialog.close());
    const big = document.createElement("img");
    big.src = img.getAttribute("src");                  // the wide drawing, whatever the screen
    big.alt = img.alt;
    dialog.append(close, big);
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
    dialog.addEventListener("close", () => dialog.remove());
    document.body.appendChild(dialog);
    dialog.showModal();
  }

  // The other edition's page opens at the same section (the sections' ids are the same).
  function keepPlace(link) {
    link.addEventListener("click", () => {
      link.href = link.href.split(/[?#]/)[0] + location.search + location.hash;
    });
  }

  function prepare() {
    document.querySelectorAll("a.rnn-language-switch").forEach(keepPlace);
    for (const img of document.querySelectorAll(FIGURES)) {
      img.tabIndex = 0;
      img.title = words.enlarge;
    }
  }

  document.addEventListener("click", (event) => {
    const img = event.target.closest(FIGURES);
    if (img) enlarge(img);
  });
  document.addEventListener("keydown", (event) => {
    const img = event.target.closest && event.target.closest(FIGURES);
    if (img && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      enlarge(img);
    }
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", prepare);
  else prepare();
})();
