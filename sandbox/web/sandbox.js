// The sandbox page: polls the JSON API and sends what the visitor does. Block Kit arrives
// already rendered (and escaped) by the server; this file only wires it up.
"use strict";

const state = {
  user: null,
  channel: null,
  thread: null, // ts of the open thread
  view: "channel", // or "home"
  people: {},
  channels: {},
  stepsSeen: 0,
  rendered: {},
};

const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) {
    toast(data.error || `HTTP ${response.status}`);
    throw new Error(data.error);
  }
  return data;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

function query(params) {
  return new URLSearchParams(params).toString();
}

// -- sidebar and people ---------------------------------------------------------------------

async function loadSidebar() {
  const data = await api("/api/sidebar");
  const persona = $("persona");
  for (const person of data.people) {
    state.people[person.id] = person;
    const option = document.createElement("option");
    option.value = person.id;
    option.textContent = person.label;
    persona.append(option);
  }
  for (const channel of data.channels) {
    state.channels[channel.id] = channel;
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "#";
    link.className = "channel";
    link.dataset.channel = channel.id;
    link.textContent = (channel.kind === "customer" ? "⇄ " : "# ") + channel.name;
    link.title = channel.about;
    item.append(link);
    $(channel.kind === "customer" ? "customer-channels" : "internal-channels").append(item);
  }
  for (const scenario of data.scenarios) {
    const option = document.createElement("option");
    option.value = scenario.id;
    option.textContent = scenario.title;
    $("scenario-select").append(option);
  }
  state.user = data.people[0].id;
  selectChannel(data.channels[0].id);
}

function defaultPersonFor(channelId) {
  const people = Object.values(state.people);
  const current = state.people[state.user];
  if (current && (current.role !== "customer" || current.channels.includes(channelId))) {
    return current.id;
  }
  const member = people.find((p) => p.channels.includes(channelId));
  return (member || people.find((p) => p.role === "agent") || people[0]).id;
}

function setUser(userId) {
  state.user = userId;
  $("persona").value = userId;
  state.rendered = {};
  if (state.view === "home") openHome();
  refresh();
}

function selectChannel(channelId) {
  state.view = "channel";
  state.channel = channelId;
  state.thread = null;
  state.rendered = {};
  const channel = state.channels[channelId];
  $("channel-title").textContent = (channel.kind === "customer" ? "⇄ " : "# ") + channel.name;
  $("channel-about").textContent = channel.about;
  $("channel-view").hidden = false;
  $("home-view").hidden = true;
  $("thread").hidden = true;
  for (const link of document.querySelectorAll("#sidebar .channel")) {
    link.classList.toggle("active", link.dataset.channel === channelId);
  }
  const person = defaultPersonFor(channelId);
  if (person !== state.user) setUser(person); else refresh();
}

function openThread(ts) {
  state.thread = ts;
  state.rendered.thread = null;
  $("thread").hidden = false;
  refresh();
}

async function openHome() {
  state.view = "home";
  state.thread = null;
  state.rendered = {};
  $("channel-view").hidden = true;
  $("thread").hidden = true;
  $("home-view").hidden = false;
  $("home-user").textContent = state.people[state.user].name;
  for (const link of document.querySelectorAll("#sidebar .channel")) {
    link.classList.toggle("active", link.id === "home-link");
  }
  $("home").innerHTML = '<p class="muted">Opening…</p>';
  await api("/api/home", { user: state.user });
  refresh();
}

// -- rendering ------------------------------------------------------------------------------

function messageElement(item, channelId, inThread) {
  const row = document.createElement("div");
  row.className = `message role-${item.role}` + (item.private ? " private" : "");
  row.dataset.ts = item.ts;
  row.dataset.channel = channelId;
  const avatar = document.createElement("div");
  avatar.className = "avatar";
  avatar.textContent = item.author.slice(0, 1).toUpperCase();
  const content = document.createElement("div");
  content.className = "content";
  const meta = document.createElement("div");
  meta.className = "meta";
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = item.author;
  meta.append(author);
  const tags = [];
  if (item.role === "bot") tags.push(["badge", "APP"]);
  if (item.role === "customer") tags.push(["badge external", "external"]);
  if (item.private) tags.push(["private-tag", "Only visible to you"]);
  if (item.edited) tags.push(["muted", "(edited)"]);
  for (const [className, text] of tags) {
    const tag = document.createElement("span");
    tag.className = className;
    tag.textContent = text;
    meta.append(" ", tag);
  }
  const body = document.createElement("div");
  body.className = "body";
  body.innerHTML = item.html; // rendered and escaped by the server
  content.append(meta, body);
  if (!inThread && !item.private) {
    const link = document.createElement("a");
    link.href = "#";
    link.className = item.reply_count ? "replies" : "reply-link";
    link.dataset.thread = item.ts;
    link.textContent = item.reply_count
      ? `${item.reply_count} ${item.reply_count === 1 ? "reply" : "replies"}`
      : "Reply in thread";
    content.append(link);
  }
  row.append(avatar, content);
  return row;
}

function renderInto(key, container, data, build) {
  const signature = JSON.stringify(data);
  if (state.rendered[key] === signature) return;
  const first = !state.rendered[key];
  const stick = container.scrollTop + container.clientHeight >= container.scrollHeight - 40;
  state.rendered[key] = signature;
  container.replaceChildren(...build());
  if (key !== "home" && (first || stick)) container.scrollTop = container.scrollHeight;
}

async function refresh() {
  const user = state.user;
  if (!user) return;
  try {
    if (state.view === "channel" && state.channel) {
      const channel = state.channel;
      const feed = await api("/api/channel?" + query({ channel, user }));
      if (channel === state.channel && user === state.user) {
        renderInto("channel", $("messages"), feed, () =>
          feed.messages.map((m) => messageElement(m, channel, false)));
      }
      if (state.thread) {
        const ts = state.thread;
        const thread = await api("/api/thread?" + query({ channel, ts, user }));
        if (ts === state.thread) {
          renderInto("thread", $("thread-messages"), thread, () => {
            const items = thread.parent ? [messageElement(thread.parent, channel, true)] : [];
            const divider = document.createElement("div");
            divider.className = "thread-divider";
            divider.textContent = `${thread.messages.length} ${thread.messages.length === 1 ? "reply" : "replies"}`;
            items.push(divider);
            return items.concat(thread.messages.map((m) => messageElement(m, channel, true)));
          });
        }
      }
    } else if (state.view === "home") {
      const home = await api("/api/home?" + query({ user }));
      if (user === state.user) {
        $("home").dataset.viewId = home.view_id || "";
        renderInto("home", $("home"), home, () => {
          const wrapper = document.createElement("div");
          wrapper.innerHTML = home.html || '<p class="muted">Opening…</p>';
          return [wrapper];
        });
      }
    }
    await refreshModal();
    await refreshScenario();
  } catch (error) {
    // shown as a toast by api(); the next poll tries again
  }
}

async function refreshModal() {
  const { modal } = await api("/api/modal?" + query({ user: state.user }));
  const backdrop = $("modal-backdrop");
  if (!modal) {
    backdrop.hidden = true;
    state.rendered.modal = null;
    return;
  }
  if (state.rendered.modal === `${modal.view_id}:${modal.hash}`) return;
  state.rendered.modal = `${modal.view_id}:${modal.hash}`;
  $("modal").dataset.viewId = modal.view_id;
  $("modal-title").innerHTML = modal.title;
  $("modal-submit").innerHTML = modal.submit;
  $("modal-close").innerHTML = modal.close;
  $("modal-body").innerHTML = modal.html;
  backdrop.hidden = false;
}

async function refreshScenario() {
  const status = await api("/api/scenario");
  const narration = $("narration");
  $("scenario-play").disabled = status.running;
  if (!status.scenario) return;
  const last = status.steps[status.steps.length - 1];
  if (status.error) narration.textContent = `${status.title}: stopped (${status.error})`;
  else if (status.running) narration.textContent = last ? `▶ ${last.text}` : `▶ ${status.title}`;
  else narration.textContent = `✓ ${status.title} — your turn: take over.`;
  if (status.steps.length > state.stepsSeen) {
    state.stepsSeen = status.steps.length;
    if (last.channel !== state.channel || state.view !== "channel") selectChannel(last.channel);
    if (last.thread_ts && last.thread_ts !== state.thread) openThread(last.thread_ts);
  }
}

// -- what the visitor does ------------------------------------------------------------------

async function send(textArea, threadTs) {
  const text = textArea.value;
  if (!text.trim()) return;
  await api("/api/post", {
    user: state.user, channel: state.channel, text, thread_ts: threadTs || "",
  });
  textArea.value = "";
  refresh();
}

function actionTarget(element) {
  const home = element.closest("#home");
  if (home) return { view_id: home.dataset.viewId };
  const modal = element.closest("#modal");
  if (modal) return { view_id: modal.dataset.viewId };
  const message = element.closest(".message");
  return { channel: message.dataset.channel, message_ts: message.dataset.ts };
}

async function act(element, extra) {
  await api("/api/click", {
    user: state.user,
    action_id: element.dataset.actionId,
    block_id: element.dataset.blockId,
    ...actionTarget(element),
    ...extra,
  });
  refresh();
}

function modalValues() {
  const values = {};
  let complete = true;
  for (const block of document.querySelectorAll("#modal-body .bk-input")) {
    const controls = block.querySelectorAll("[data-input-type]");
    if (!controls.length) continue;
    const first = controls[0];
    const type = first.dataset.inputType;
    let value;
    let empty;
    if (type === "plain_text_input") {
      value = { type, value: first.value || null };
      empty = !first.value.trim();
    } else if (type === "static_select") {
      const option = first.selectedOptions[0];
      const chosen = option && option.value;
      value = { type, selected_option: chosen
        ? { text: { type: "plain_text", text: option.textContent }, value: chosen } : null };
      empty = !chosen;
    } else {
      const checked = [...controls].filter((c) => c.checked).map((c) => ({
        text: { type: "plain_text", text: c.dataset.label }, value: c.value,
      }));
      value = type === "checkboxes"
        ? { type, selected_options: checked }
        : { type, selected_option: checked[0] || null };
      empty = !checked.length;
    }
    const error = block.querySelector(".bk-error");
    const missing = empty && block.dataset.required === "true";
    error.textContent = missing ? "Please complete this required field." : "";
    complete = complete && !missing;
    values[block.dataset.blockId] = { [first.dataset.actionId]: value };
  }
  return complete ? values : null;
}

async function submitModal(event) {
  event.preventDefault();
  const values = modalValues();
  if (!values) return;
  const viewId = $("modal").dataset.viewId;
  const result = await api("/api/submit", { user: state.user, view_id: viewId, values });
  for (const [blockId, message] of Object.entries(result.errors || {})) {
    const block = document.querySelector(`#modal-body .bk-input[data-block-id="${CSS.escape(blockId)}"]`);
    if (block) block.querySelector(".bk-error").textContent = message;
  }
  if (result.ok) {
    $("modal-backdrop").hidden = true;
    refresh();
  }
}

function wire() {
  $("persona").addEventListener("change", (e) => setUser(e.target.value));
  $("sidebar").addEventListener("click", (e) => {
    const link = e.target.closest("a.channel");
    if (!link) return;
    e.preventDefault();
    if (link.id === "home-link") openHome(); else selectChannel(link.dataset.channel);
  });
  $("thread-close").addEventListener("click", () => {
    state.thread = null;
    $("thread").hidden = true;
  });
  $("composer").addEventListener("submit", (e) => { e.preventDefault(); send($("composer-text")); });
  $("thread-composer").addEventListener("submit", (e) => {
    e.preventDefault();
    send($("thread-text"), state.thread);
  });
  for (const id of ["composer-text", "thread-text"]) {
    $(id).addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        e.target.form.requestSubmit();
      }
    });
  }
  document.addEventListener("click", (e) => {
    const permalink = e.target.closest('a[href*=".slack.com/archives/"]');
    if (permalink) { // a link to a message: open it here
      e.preventDefault();
      const url = new URL(permalink.href);
      const [, , channel, p] = url.pathname.split("/");
      const ts = url.searchParams.get("thread_ts") || `${p.slice(1, -6)}.${p.slice(-6)}`;
      if (state.channels[channel]) {
        selectChannel(channel);
        openThread(ts);
      }
      return;
    }
    const threadLink = e.target.closest("a[data-thread]");
    if (threadLink) {
      e.preventDefault();
      openThread(threadLink.dataset.thread);
      return;
    }
    const button = e.target.closest("button[data-action-id]");
    if (button) act(button, { value: button.dataset.value });
  });
  document.addEventListener("change", (e) => {
    const select = e.target.closest('select[data-type="static_select"]');
    if (!select) return;
    const option = select.selectedOptions[0];
    act(select, {
      selected_option: { text: { type: "plain_text", text: option.textContent }, value: option.value },
    });
  });
  $("modal").addEventListener("submit", submitModal);
  $("modal").addEventListener("input", (e) => {
    const block = e.target.closest(".bk-input");
    if (block) block.querySelector(".bk-error").textContent = "";
  });
  $("modal-close").addEventListener("click", async () => {
    await api("/api/close", { user: state.user, view_id: $("modal").dataset.viewId });
    $("modal-backdrop").hidden = true;
  });
  $("scenario-play").addEventListener("click", async () => {
    state.stepsSeen = 0;
    await api("/api/scenario", { id: $("scenario-select").value });
    refresh();
  });
}

wire();
loadSidebar().then(() => setInterval(refresh, 800));
