// Run in the page by sitecheck.py: `(<this file>).facts()` and so on. An expression whose
// value is an object of functions; none of them uses `this`.
(() => {
  const STATIC = ".optimlib-static-explorer";
  // Every kind of ipywidgets control a reader could try to use.
  const CONTROLS = [
    ".widget-slider", ".widget-hslider", ".widget-vslider", ".noUi-target", "input[type=range]",
    ".widget-dropdown", ".widget-select", ".widget-select-multiple", ".widget-radio",
    ".widget-toggle-buttons", ".widget-toggle-button", ".widget-checkbox", ".widget-button",
    ".widget-play", ".widget-text", ".widget-textarea", ".widget-colorpicker",
  ].join(", ");

  // Whether an element is rendered and visible (memoised: many elements share ancestors).
  let hiddenMemo = new Map();
  function hiddenTree(el) {  // display: none or opacity 0 on the element or an ancestor
    if (!el || el === document.documentElement) return false;
    if (hiddenMemo.has(el)) return hiddenMemo.get(el);
    const s = getComputedStyle(el);
    const hidden = s.display === "none" || parseFloat(s.opacity) === 0 || hiddenTree(el.parentElement);
    hiddenMemo.set(el, hidden);
    return hidden;
  }
  function shown(el) {
    return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden"
      && !hiddenTree(el);
  }

  function describe(el) {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      const cls = [...e.classList].slice(0, 2).join(".");
      parts.unshift(e.tagName.toLowerCase() + (e.id ? `#${e.id}` : "") + (cls ? `.${cls}` : ""));
    }
    return parts.join(" > ");
  }

  function short(text, n = 60) {
    text = (text || "").replace(/\s+/g, " ").trim();
    return text.length > n ? text.slice(0, n) + "…" : text;
  }

  // 32-bit FNV-1a of a string: frames are told apart by their whole data URI.
  function hash(s) {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 16777619);
    }
    return (h >>> 0).toString(16);
  }

  // Code blocks (cell inputs and printed outputs) wider than their box, so that the reader
  // must scroll sideways; hidden code (hide-input) is opened for the measurement.
  function scrollingCode(article) {
    const closed = [...article.querySelectorAll("details:not([open])")];
    closed.forEach(d => { d.open = true; });
    const wide = [...article.querySelectorAll("div.cell pre")]
      .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
      .map(pre => {
        const longest = pre.textContent.split("\n").reduce((a, l) => (l.length > a.length ? l : a), "");
        return `${pre.scrollWidth - pre.clientWidth}px too wide: ${short(longest, 100)}`;
      });
    closed.forEach(d => { d.open = false; });
    return wide;
  }

  function visibleImages(box) {
    return [...box.querySelectorAll("img")].filter(shown);
  }

  // --- colours: any CSS colour, as sRGB 0-255 and alpha 0-1, via a 1-pixel canvas ---------
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });

  const parsed = new Map();
  function rgba(css) {
    if (!parsed.has(css)) {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = "rgba(0, 0, 0, 0)";
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      parsed.set(css, [r, g, b, a / 255]);
    }
    return parsed.get(css);
  }

  function over(top, bottom) {  // top composited over an opaque bottom
    return [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  }

  // The background behind an element: its own and its ancestors' background colours,
  // composited, over white if none is opaque. (Background images are not considered.)
  let backgroundMemo = new Map();
  function background(el) {
    if (!el) return [255, 255, 255, 1];
    if (!backgroundMemo.has(el)) {
      const own = rgba(getComputedStyle(el).backgroundColor);
      backgroundMemo.set(el, own[3] >= 1 ? own : over(own, background(el.parentElement)));
    }
    return backgroundMemo.get(el);
  }

  function luminance(c) {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  const css = c => `rgb(${c.slice(0, 3).map(Math.round).join(", ")})`;

  return {
    // Maths, images, widget controls and explorers as the reader sees them.
    facts() {
      const article = document.querySelector(".bd-article") || document.body;
      const maths = [...article.querySelectorAll(".math")];
      // Prose only: code may well contain \( or $$, and typeset maths is done with.
      let text = "";
      const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.parentElement.closest("pre, code, .highlight, .math, mjx-container, script, style")) {
          text += node.textContent;
        }
      }
      return {
        math: {
          elements: maths.length,
          unrendered: maths.filter(m => !m.querySelector("mjx-container")).map(m => short(m.textContent)),
          // TeX errors, and undefined macros (MathJax 3 shows those as red \name text).
          errors: [
            ...[...article.querySelectorAll("mjx-merror")].map(m => m.getAttribute("data-mjx-error")),
            ...[...article.querySelectorAll("mjx-assistive-mml mtext[mathcolor=red]")]
              .filter(m => m.textContent.startsWith("\\"))
              .map(m => `undefined macro ${m.textContent}`),
          ].map(text => short(text)),
          // TeX delimiters left in the visible text: maths that MathJax never saw.
          raw: (text.match(/\\\(|\\\[|\$\$/g) || []).length,
          mathjax: Boolean(window.MathJax && window.MathJax.startup),
        },
        images: [...document.querySelectorAll("img")].map(img => ({
          src: short(img.getAttribute("src"), 80),
          alt: img.getAttribute("alt"),
          loaded: img.complete && img.naturalWidth > 0,
          where: describe(img),
        })),
        controlsOutsideExplorers: [...document.querySelectorAll(CONTROLS)]
          .filter(el => !el.closest(STATIC)).map(describe),
        liveExplorers: document.querySelectorAll(".optimlib-live-explorer").length,
        staticExplorers: document.querySelectorAll(STATIC).length,
        scrollingCode: scrollingCode(article),
      };
    },

    // Contrast of every visible text node inside the containers of each category: how many
    // were measured, and the details of those below WCAG AA.
    contrast(categories) {
      hiddenMemo = new Map();  // styles change with the theme: start afresh
      backgroundMemo = new Map();
      const counts = {}, failing = [];
      for (const [category, selector] of Object.entries(categories)) {
        const seen = new Set();
        counts[category] = 0;
        for (const root of document.querySelectorAll(selector)) {
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement;
            if (!node.textContent.trim() || seen.has(el)) continue;
            seen.add(el);
            if (el.closest("mjx-container, script, style, svg, .visually-hidden, .sr-only")) continue;
            if (!shown(el)) continue;
            const style = getComputedStyle(el);
            const bg = background(el);
            const fg = over(rgba(style.color), bg);
            const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
            const ratio = (hi + 0.05) / (lo + 0.05);
            const size = parseFloat(style.fontSize);
            const bold = parseInt(style.fontWeight, 10) >= 700;
            const required = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;  // large text: 3
            counts[category] += 1;
            if (ratio < required) {
              failing.push({
                category, ratio: Math.round(ratio * 100) / 100, required,
                text: short(node.textContent, 40), where: describe(el),
                color: css(fg), background: css(bg),
              });
            }
          }
        }
      }
      return { counts, failing };
    },

    // What an explorer shows: its visible pictures, by content and alt text.
    frameSignature(box) {
      return visibleImages(box).map(img => `${hash(img.src)} ${img.alt}`).join(" | ");
    },

    frameInfo(box) {
      const images = visibleImages(box);
      const frames = [...box.querySelectorAll(".widget-html-content")].filter(shown);
      return {
        visibleImages: images.length,
        alts: images.map(img => img.getAttribute("alt") || ""),
        sources: images.map(img => (img.getAttribute("src") || "").slice(0, 22)),
        // Markup shown as text instead of being rendered.
        rawHtml: frames.filter(f => /<img|&lt;img/.test(f.textContent)).length,
        sliders: box.querySelectorAll(".noUi-handle").length,
      };
    },
  };
})()
