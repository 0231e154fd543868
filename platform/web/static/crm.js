// CRM pipeline board: drag cards between stages with SortableJS; the server re-renders the board (htmx).
// Keyboard users have the arrow buttons on each card (plain forms), so dragging is never the only way.
(function () {
  "use strict";

  function moveCard(board, card, list, position) {
    const url = board.dataset.moveUrl + card.dataset.opportunityId + "/move";
    const values = { stage_id: list.dataset.stageId, position: String(position) };
    if (list.dataset.stageKind === "lost") {
      const reason = window.prompt("Why was this deal lost?");
      if (!reason) {
        htmx.ajax("GET", window.location.pathname, { target: "#board", swap: "outerHTML" });
        return;
      }
      values.reason = reason;
    }
    htmx.ajax("POST", url, { target: "#board", swap: "outerHTML", values: values });
  }

  function initBoard(root) {
    const board = (root || document).querySelector("#board");
    if (!board || typeof Sortable === "undefined") return;
    board.querySelectorAll(".board-cards").forEach(function (list) {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "1";
      Sortable.create(list, {
        group: "pipeline",
        animation: 120,
        forceFallback: true, // pointer events: the same drag for mouse, touch and automated browsers
        filter: "button, input",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          moveCard(board, event.item, event.to, event.newIndex);
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initBoard(document); });
  document.addEventListener("htmx:afterSettle", function () { initBoard(document); });
})();
