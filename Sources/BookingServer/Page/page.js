// The event-goers' page (docs/api.md, "GET /"): the events, one event's seat map kept live by its
// stream, a hold with its countdown, confirm or cancel, and the user's own bookings. Plain
// JavaScript, no library, nothing from another origin.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const NAMES = { 48: "free", 49: "held", 50: "taken" }; // '0', '1', '2'
  const CODES = { free: 48, held: 49, taken: 50 };

  const me = { user: "", token: "" };
  let current = null;          // the open event: {id, name, total_seats}
  let states = new Uint8Array(0);
  let buttons = [];
  let source = null;
  let selected = 0;            // a seat picked on the map (0: none)
  let focused = 1;             // the seat that takes the map's tab stop
  let hold = null;             // the user's hold on the open event
  let mine = new Set();        // the user's live seats on the open event
  let ticker = null;

  function say(text) { $("status").textContent = text; }

  function headers() {
    const fields = { "Content-Type": "application/json" };
    if (me.token) fields.Authorization = "Bearer " + me.token;
    return fields;
  }

  async function api(method, path, body) {
    const response = await fetch(path, { method, headers: headers(), body: body === undefined ? undefined : JSON.stringify(body) });
    let json = null;
    try { json = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok || !json || json.success === false) {
      const error = new Error((json && json.error) || response.statusText || "request failed");
      error.code = json && json.code;
      throw error;
    }
    return json;
  }

  function explain(error) { return error.code ? `${error.message} (${error.code})` : error.message; }

  /** The `sub` of a JWT, read without verifying (the server verifies). */
  function subjectOf(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(decodeURIComponent(escape(atob(part)))).sub || "";
    } catch (_) { return ""; }
  }

  // --- who the user is ---------------------------------------------------------------------

  $("identity").addEventListener("submit", (event) => {
    event.preventDefault();
    me.token = $("token").value.trim();
    me.user = $("user").value.trim() || subjectOf(me.token);
    if (!me.user) { $("signed-in").textContent = "Type your name (or paste a token)."; return; }
    $("user").value = me.user;
    $("signed-in").textContent = me.token ? `Signed in as ${me.user}, with a token.` : `Booking as ${me.user}.`;
    sessionStorage.setItem("seats.user", me.user);
    sessionStorage.setItem("seats.token", me.token);
    refreshMine();
  });

  function requireUser() {
    if (me.user) return true;
    say("Sign in first: type your name above.");
    $("user").focus();
    return false;
  }

  // --- the events ---------------------------------------------------------------------------

  async function refreshEvents() {
    let page;
    try { page = await api("GET", "/api/events?limit=50"); } catch (error) { say(`Events: ${explain(error)}`); return; }
    const list = $("events");
    list.replaceChildren(...page.events.map((event) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.event = String(event.id);
      button.textContent = `${event.name}: ${event.available_seats} of ${event.total_seats} free`;
      if (current && current.id === event.id) button.setAttribute("aria-current", "true");
      button.addEventListener("click", () => open(event));
      item.append(button);
      return item;
    }));
  }

  // --- one event's seat map ------------------------------------------------------------------

  function open(event) {
    if (source) source.close();
    current = event;
    hold = null;
    selected = 0;
    focused = 1;
    showHold();
    $("event-section").hidden = false;
    $("event-heading").textContent = event.name;
    build(event.total_seats);
    refreshMine();
    refreshEvents();
    source = new EventSource(`/api/events/${event.id}/stream`);
    source.addEventListener("snapshot", (message) => {
      const map = JSON.parse(message.data);
      for (let seat = 1; seat <= map.total_seats; seat++) states[seat - 1] = map.seats.charCodeAt(seat - 1);
      for (let seat = 1; seat <= map.total_seats; seat++) paint(seat);
      count();
    });
    source.addEventListener("seats", (message) => {
      const change = JSON.parse(message.data);
      for (const seat of change.changes) {
        states[seat.seat_no - 1] = CODES[seat.state];
        if (seat.state === "free") mine.delete(seat.seat_no);
        if (seat.seat_no === selected && seat.state !== "free" && !mine.has(seat.seat_no)) selected = 0;
        paint(seat.seat_no);
      }
      count();
      pickable();
    });
    source.onerror = () => say("The live map lost its connection; it reconnects by itself.");
    source.onopen = () => { if ($("status").textContent.startsWith("The live map")) say(""); };
  }

  function build(total) {
    states = new Uint8Array(total).fill(CODES.free);
    const grid = $("seats");
    const fragment = document.createDocumentFragment();
    buttons = new Array(total + 1);
    for (let seat = 1; seat <= total; seat++) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "seat free";
      button.dataset.seat = String(seat);
      button.tabIndex = seat === 1 ? 0 : -1;
      button.setAttribute("aria-label", `Seat ${seat}, free`);
      buttons[seat] = button;
      fragment.append(button);
    }
    grid.replaceChildren(fragment);
    pickable();
  }

  function paint(seat) {
    const button = buttons[seat];
    if (!button) return;
    const state = mine.has(seat) ? "mine" : NAMES[states[seat - 1]];
    button.className = `seat ${state}${seat === selected ? " selected" : ""}`;
    button.setAttribute("aria-label", `Seat ${seat}, ${state === "mine" ? "yours" : state}${seat === selected ? ", picked" : ""}`);
    button.setAttribute("aria-disabled", state === "free" ? "false" : "true");
  }

  function count() {
    let free = 0;
    for (let i = 0; i < states.length; i++) if (states[i] === CODES.free) free++;
    $("availability").textContent = `${free} of ${states.length} seats free`;
  }

  function columns() {
    const template = getComputedStyle($("seats")).gridTemplateColumns;
    return Math.max(1, template.split(" ").filter(Boolean).length);
  }

  function moveFocus(seat) {
    if (seat < 1 || seat >= buttons.length) return;
    buttons[focused].tabIndex = -1;
    focused = seat;
    buttons[seat].tabIndex = 0;
    buttons[seat].focus();
  }

  $("seats").addEventListener("keydown", (event) => {
    const steps = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns(), ArrowUp: -columns() };
    if (event.key in steps) { moveFocus(focused + steps[event.key]); event.preventDefault(); }
    else if (event.key === "Home") { moveFocus(1); event.preventDefault(); }
    else if (event.key === "End") { moveFocus(buttons.length - 1); event.preventDefault(); }
  });

  $("seats").addEventListener("click", (event) => {
    const seat = Number(event.target.dataset && event.target.dataset.seat);
    if (!seat) return;
    moveFocus(seat);
    if (states[seat - 1] !== CODES.free) { say(`Seat ${seat} is not free.`); return; }
    const before = selected;
    selected = seat;
    if (before) paint(before);
    paint(seat);
    pickable();
    say(`Seat ${seat} picked.`);
  });

  function pickable() {
    const button = $("hold-selected");
    button.disabled = !selected || !!hold;
    $("selected-label").textContent = selected ? String(selected) : "—";
    $("hold-next").disabled = !!hold;
  }

  // --- holds, confirms, cancels ---------------------------------------------------------------

  async function holdSeat(seat) {
    if (!requireUser() || !current) return;
    try {
      const body = { event_id: current.id, user_id: me.user };
      if (seat) body.seat_no = seat;
      const reply = await api("POST", "/api/bookings/hold", body);
      hold = reply.booking;
      mine.add(hold.seat_no);
      selected = 0;
      paint(hold.seat_no);
      say(`Seat ${hold.seat_no} is held for you.`);
      showHold();
      refreshMine();
    } catch (error) {
      say(`No hold: ${explain(error)}`);
    }
  }

  $("hold-selected").addEventListener("click", () => holdSeat(selected));
  $("hold-next").addEventListener("click", () => holdSeat(0));

  function showHold() {
    clearInterval(ticker);
    $("hold").hidden = !hold;
    pickable();
    if (!hold) return;
    $("hold-text").textContent = `Seat ${hold.seat_no} of ${current.name}`;
    const tick = () => {
      const left = Math.max(0, Math.round((Date.parse(hold.expires_at) - Date.now()) / 1000));
      $("countdown").textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} left to confirm`;
      if (left === 0) {
        say(`Your hold on seat ${hold.seat_no} lapsed.`);
        mine.delete(hold.seat_no);
        paint(hold.seat_no);
        hold = null;
        showHold();
        refreshMine();
      }
    };
    tick();
    ticker = setInterval(tick, 1000);
  }

  $("confirm").addEventListener("click", async () => {
    if (!hold) return;
    try {
      const reply = await api("POST", `/api/bookings/${hold.id}/confirm`, { user_id: me.user });
      say(`Seat ${reply.booking.seat_no} is yours.`);
      hold = null;
      showHold();
      refreshMine();
    } catch (error) { say(`Not confirmed: ${explain(error)}`); }
  });

  $("release").addEventListener("click", () => { if (hold) cancel(hold); });

  async function cancel(booking) {
    try {
      await api("DELETE", `/api/bookings/${booking.id}`, { user_id: me.user });
      say(`Seat ${booking.seat_no} of ${booking.event_name || current.name} cancelled.`);
      if (hold && hold.id === booking.id) { hold = null; showHold(); }
      if (current && booking.event_id === current.id) { mine.delete(booking.seat_no); paint(booking.seat_no); }
      refreshMine();
    } catch (error) { say(`Not cancelled: ${explain(error)}`); }
  }

  // --- the user's bookings --------------------------------------------------------------------

  async function refreshMine() {
    if (!me.user) return;
    let page;
    try { page = await api("GET", `/api/bookings/user/${encodeURIComponent(me.user)}?limit=50`); }
    catch (error) { say(`Your bookings: ${explain(error)}`); return; }
    $("mine-section").hidden = false;
    const live = page.bookings.filter((b) => b.status === "held" || b.status === "confirmed");
    const before = mine;
    mine = new Set(live.filter((b) => current && b.event_id === current.id).map((b) => b.seat_no));
    for (const seat of new Set([...before, ...mine])) paint(seat);
    if (current && !hold) {
      const held = live.find((b) => b.status === "held" && b.event_id === current.id);
      if (held) { hold = held; showHold(); }
    }
    $("mine").replaceChildren(...page.bookings.map((booking) => {
      const item = document.createElement("li");
      item.textContent = `${booking.event_name}, seat ${booking.seat_no}: ${booking.status}`;
      if (booking.status === "held" || booking.status === "confirmed") {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = "Cancel";
        button.setAttribute("aria-label", `Cancel seat ${booking.seat_no} of ${booking.event_name}`);
        button.addEventListener("click", () => cancel(booking));
        item.append(" ", button);
      }
      return item;
    }));
  }

  // --- start ------------------------------------------------------------------------------------

  me.user = sessionStorage.getItem("seats.user") || "";
  me.token = sessionStorage.getItem("seats.token") || "";
  $("user").value = me.user;
  $("token").value = me.token;
  if (me.user) $("signed-in").textContent = me.token ? `Signed in as ${me.user}, with a token.` : `Booking as ${me.user}.`;
  refreshEvents();
  refreshMine();
  setInterval(refreshEvents, 5000);
})();
