// Nexo's own behaviour, loaded by the base layout on every page. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  // Every unsafe htmx request carries the CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["x-csrftoken"] = meta.content;
  });

  // ---- Server refusals, shown in place (one handler for the whole product) ----------------------------------------
  // 400/409/422 answers carry the re-rendered fragment with the errors next to the fields: swap it like a success.
  // Anything else that fails (403, 404, 413, 429, 5xx, a lost connection) gets a message at the top of the form that
  // sent the request, with the request id for 5xx. The words come from the page (data-* on <body>), so they are
  // translated with the templates.
  var SWAPPED = [400, 409, 422];
  var WHOLE_PAGE = /^\s*(<!doctype html|<html)/i;

  function words(name, fallback) {
    return (document.body && document.body.getAttribute("data-msg-" + name)) || fallback;
  }

  function sourceOf(detail) {
    return (detail.requestConfig && detail.requestConfig.elt) || detail.elt || null;
  }

  // The element the message goes into: the form that sent the request, else the element swapped into.
  function anchorOf(detail) {
    var source = sourceOf(detail);
    var form = source && source.closest ? source.closest("form") : null;
    return form || detail.target || source || document.querySelector("main") || document.body;
  }

  function clearMessage(anchor) {
    if (!anchor) return;
    var old = anchor.querySelector(":scope > .htmx-error");
    if (old) old.remove();
  }

  function showMessage(detail, text) {
    var anchor = anchorOf(detail);
    clearMessage(anchor);
    var box = document.createElement("p");
    box.className = "flash error htmx-error";
    box.setAttribute("role", "alert");
    box.textContent = text;
    anchor.insertBefore(box, anchor.firstChild);
  }

  // The sentence of a full error page (templates/errors/error.html marks it), else the page's title.
  function detailOfPage(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var marked = doc.querySelector("[data-error-detail]");
    if (marked && marked.textContent.trim()) return marked.textContent.trim();
    var heading = doc.querySelector("h1");
    return heading ? heading.textContent.trim() : "";
  }

  function serverError(xhr) {
    var id = xhr.getResponseHeader("x-request-id") || "";
    return words("server-error", "Something went wrong on our side. Please try again; if it keeps happening, quote request id {id}.").replace("{id}", id);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    clearMessage(anchorOf(event.detail));
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr.status;
    if (status < 400) return;
    var body = xhr.responseText || "";
    if (SWAPPED.indexOf(status) !== -1 && body && !WHOLE_PAGE.test(body)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    event.detail.shouldSwap = false;
    if (status >= 500) {
      showMessage(event.detail, serverError(xhr));
    } else {
      showMessage(event.detail, (WHOLE_PAGE.test(body) && detailOfPage(body)) || words("refused", "The request was refused.") + " (" + status + ")");
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    showMessage(event.detail, words("network-error", "Nexo could not be reached. Check your connection and try again."));
  });

  // After a refused form submission, put the keyboard on the first field marked invalid (never while typing).
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    var source = sourceOf(detail);
    if (!detail.xhr || SWAPPED.indexOf(detail.xhr.status) === -1) return;
    if (!source || source.tagName !== "FORM") return;
    var target = detail.target && detail.target.isConnected ? detail.target : document;
    var invalid = target.querySelector('[aria-invalid="true"]') || document.querySelector('[aria-invalid="true"]');
    if (invalid) invalid.focus();
  });

  // ---- Navigation disclosure (narrow screens) ---------------------------------------------------------------------
  // A button with aria-expanded opens and closes the panel it controls; Escape closes it and gives focus back.
  function setOpen(toggle, open) {
    var panel = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!panel) return;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("is-open", open);
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest ? event.target.closest("[data-nav-toggle]") : null;
    if (toggle) setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll('[data-nav-toggle][aria-expanded="true"]').forEach(function (toggle) {
      setOpen(toggle, false);
      toggle.focus();
    });
  });

  // ---- Boxes that scroll sideways (wide tables, the pipeline board) -----------------------------------------------
  // A box whose content is wider than itself takes the keyboard focus, so arrow keys can scroll it (WCAG 2.1.1);
  // one that fits is no extra tab stop.
  function markScrollable() {
    document.querySelectorAll(".table-scroll, .board").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
    });
  }
  var resizeTimer = null;
  document.addEventListener("DOMContentLoaded", markScrollable);
  document.addEventListener("htmx:afterSettle", markScrollable);
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollable, 150);
  });
})();
