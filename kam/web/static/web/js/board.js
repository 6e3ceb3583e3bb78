/* The deal board (sales/deal_board.html): drag a card to another stage, or use the card's
 * "move to" form (phones and keyboards). Either way the move is POSTed to deal-move, which checks
 * the stage gates. On success the board partial is fetched again, so both columns' cards and totals
 * are the server's; on refusal the card goes back and the answer (the gate's missing elements) is
 * shown in the dialog, whose region has role="alert". Texts come from data- attributes. */
(function () {
  "use strict";

  var dragged = null;

  function board() { return document.getElementById("deal-board"); }

  function dialog() { return document.getElementById("deal-board-dialog"); }

  function showFailure(html, text) {
    var box = dialog();
    var region = document.getElementById("deal-board-alert");
    if (!box || !region) { return; }
    if (html) { region.innerHTML = html; } else { region.textContent = text; }
    if (window.htmx) { window.htmx.process(region); }
    if (typeof box.showModal === "function") {
      if (!box.open) { box.showModal(); }
    } else {
      box.setAttribute("open", "");
    }
  }

  function closeDialog() {
    var box = dialog();
    if (box && box.open) {
      if (typeof box.close === "function") { box.close(); } else { box.removeAttribute("open"); }
    }
  }

  function reload(focusId) {
    var current = board();
    if (!current) { return Promise.resolve(); }
    return fetch(current.dataset.boardUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response); })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var fresh = holder.content.firstElementChild;
        var now = board();
        if (!fresh || !now) { return; }
        now.replaceWith(fresh);
        if (window.htmx) { window.htmx.process(fresh); }
        var target = focusId && document.getElementById(focusId);
        if (target) { target.focus(); }
      })
      .catch(function () { window.location.reload(); });
  }

  function tokenOf(card) {
    var input = card.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Puts the card back where it was when the server refuses the move.
  function snapshot(card) {
    var parent = card.parentNode;
    var next = card.nextSibling;
    return function () { parent.insertBefore(card, next); };
  }

  function move(card, stageId, restore, focusId) {
    var texts = board().dataset;
    var body = new FormData();
    body.append("stage", stageId);
    body.append("card", "1"); // deal-move answers a board request with 200 or the 422 gate message
    body.append("next", board().dataset.boardUrl); // where the override form in the message returns
    body.append("csrfmiddlewaretoken", tokenOf(card));
    card.setAttribute("aria-busy", "true");
    fetch(card.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": tokenOf(card), "HX-Request": "true" }
    }).then(function (response) {
      card.removeAttribute("aria-busy");
      if (response.ok) { return reload(focusId); }
      restore();
      if (response.status === 422) {
        return response.text().then(function (html) { showFailure(html, texts.failed); });
      }
      showFailure("", response.status === 403 ? texts.forbidden : texts.failed);
    }).catch(function () {
      card.removeAttribute("aria-busy");
      restore();
      showFailure("", texts.failed);
    });
  }

  function stageOf(card) {
    var list = card.closest(".deallists-cards");
    return list ? list.dataset.stage : "";
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".deallists-card[draggable=true]");
    if (!card) { return; }
    dragged = card;
    card.classList.add("deallists-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("deallists-dragging"); }
    dragged = null;
    document.querySelectorAll(".deallists-drop").forEach(function (el) { el.classList.remove("deallists-drop"); });
  });

  document.addEventListener("dragover", function (event) {
    var column = dragged && event.target.closest && event.target.closest(".deallists-column");
    if (!column) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("deallists-drop");
  });

  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".deallists-column");
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("deallists-drop"); }
  });

  document.addEventListener("drop", function (event) {
    var column = dragged && event.target.closest && event.target.closest(".deallists-column");
    if (!column) { return; }
    event.preventDefault();
    column.classList.remove("deallists-drop");
    var card = dragged;
    var list = column.querySelector(".deallists-cards");
    if (!list || stageOf(card) === list.dataset.stage) { return; }
    var restore = snapshot(card);
    list.insertBefore(card, list.firstChild);
    move(card, list.dataset.stage, restore, null);
  });

  // The "move to" form of each card: the same move without dragging.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest(".deallists-move");
    if (!form || !board()) { return; }
    event.preventDefault();
    var card = form.closest(".deallists-card");
    var stageId = form.elements.stage.value;
    if (!card || stageId === stageOf(card)) { return; }
    move(card, stageId, function () {}, form.elements.stage.id);
  });

  // An override form inside the dialog (managers, from the gate message) that succeeded.
  document.addEventListener("htmx:afterRequest", function (event) {
    var box = dialog();
    if (box && box.contains(event.target) && event.detail.successful) {
      closeDialog();
      reload(null);
    }
  });
})();
