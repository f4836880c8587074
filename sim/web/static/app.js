// The page of `reformsim serve`: a thin view. It builds a scenario mapping (the YAML keys of
// sim/model/scenario.py) from the switches and inputs, and the server judges it with the same code
// and messages as the command line (sim/web/workbench.py). Nothing here decides a verdict.
"use strict";

// previous: verdicts of the run before the one shown (by target|check); shown: the request of the run shown
const state = {lang: "zh", labels: {}, chains: [], chain: null, levers: {}, previous: {}, beforeShown: {}, shown: null, runs: 0};

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};

async function api(path, body) {
  const init = body === undefined ? {} : {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const response = await fetch(path, init);
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new Error(typeof data === "object" && data.error ? data.error : `HTTP ${response.status}`);
  return data;
}

function showError(message) {
  const box = $("error");
  box.hidden = !message;
  box.textContent = message ? `${state.labels.error}: ${message}` : "";
}

async function guarded(work) {
  try {
    showError("");
    await work();
  } catch (err) {
    showError(err.message);
  }
}

// ---------------------------------------------------------------- labels and language
async function loadLabels() {
  const data = await api(`/api/labels?lang=${state.lang}`);
  state.labels = data.labels;
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = state.labels.title;
  $("title").textContent = state.labels.title;
  $("lang").textContent = state.labels.lang;
  for (const node of document.querySelectorAll("[data-l]")) node.textContent = state.labels[node.dataset.l] || node.dataset.l;
}

async function switchLang() {
  state.lang = state.lang === "zh" ? "en" : "zh";
  await loadLabels();
  await loadChains(state.chain && state.chain.id);
  if (state.shown) {
    // the last run again in the other language: the server keeps its result (same request, same numbers)
    renderResult(await api("/api/run", {...state.shown, lang: state.lang}), true);
  }
}

// ---------------------------------------------------------------- chains
async function loadChains(keep) {
  const data = await api(`/api/chains?lang=${state.lang}`);
  state.chains = data.chains;
  const select = $("chain");
  select.replaceChildren(...data.chains.map((c) => el("option", {value: c.id, text: `${c.label} (${c.targets.join(", ")})`})));
  if (keep) select.value = keep;
  await loadChain(select.value, Boolean(keep));
}

async function loadChain(id, keepInputs) {
  const chain = await api(`/api/chains/${encodeURIComponent(id)}?lang=${state.lang}`);
  const sameChain = state.chain && state.chain.id === chain.id;
  state.chain = chain;
  if (!sameChain) {
    state.levers = {};
    state.previous = {};
    state.beforeShown = {};
    state.shown = null;
    $("verdicts").replaceChildren();
    $("bottlenecks").replaceChildren();
    $("notes").replaceChildren();
    $("rule").textContent = state.labels.no_run;
  }
  renderLevers();
  renderStaff(keepInputs && sameChain);
  if (!(keepInputs && sameChain)) {
    $("cases").value = chain.defaults.cases;
    $("replications").value = chain.defaults.replications;
    $("seed").value = chain.defaults.seed;
    $("save-name").value = chain.id.replace(/\.bpmn$/, "") + "_whatif";
  }
  await loadDiagram();
}

function renderLevers() {
  const L = state.labels, chain = state.chain;
  const verbs = chain.steps.length ? chain.steps[0].levers.map((l) => l.verb) : [];
  const head = el("tr", {}, el("th", {text: L.step}), el("th", {text: L.agency}), el("th", {text: L.kind}),
    ...verbs.map((v) => el("th", {text: L[v] || v})));
  const rows = chain.steps.map((step) => el("tr", {}, el("td", {text: `${step.name} (${step.id})`}),
    el("td", {text: step.agency || "—"}), el("td", {text: step.kind}),
    ...step.levers.map((lever) => {
      const box = el("input", {type: "checkbox", "data-step": step.id, "data-verb": lever.verb,
        title: `${lever.rule} (${lever.source})`});
      const on = (state.levers[step.id] || {})[lever.verb];
      box.checked = lever.done || Boolean(on);
      box.disabled = !lever.allowed || lever.done;
      box.addEventListener("change", () => {
        state.levers[step.id] = {...(state.levers[step.id] || {}), [lever.verb]: box.checked};
      });
      const note = lever.done ? L.allowed_done : "";  // a forbidden lever is greyed; its rule is the tooltip
      return el("td", {class: lever.allowed ? "" : "forbidden", title: `${lever.rule} (${lever.source})`}, box,
        note ? el("small", {text: ` ${note}`}) : "");
    })));
  $("levers").replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
}

function renderStaff(keep) {
  const old = {};
  for (const input of document.querySelectorAll("#staff input")) old[input.dataset.agency] = input.value;
  $("staff").replaceChildren(...state.chain.agencies.map((a) => {
    const input = el("input", {type: "number", min: "1", step: "1", "data-agency": a.id, id: `staff-${a.id}`});
    input.value = keep && a.id in old ? old[a.id] : a.staff;
    return el("label", {title: a.id}, `${a.name} — ${state.labels.staff_of} `, input);
  }));
  if (!keep) $("demand").value = state.chain.rate_per_workday ?? "";
}

// ---------------------------------------------------------------- the diagram, pan and zoom
async function loadDiagram() {
  const box = $("diagram");
  const text = await api(`/api/chains/${encodeURIComponent(state.chain.id)}/diagram.svg?lang=${state.lang}`);
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = document.importNode(doc.documentElement, true);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  box.replaceChildren(svg);
  panZoom(box, svg);
}

function panZoom(box, svg) {
  const base = svg.viewBox.baseVal;
  const full = {x: base.x, y: base.y, w: base.width, h: base.height};
  let view = {...full};
  const apply = () => svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
  const scale = () => Math.max(view.w / box.clientWidth, view.h / box.clientHeight);  // drawing units per pixel
  const zoom = (factor, cx, cy) => {
    const w = Math.min(Math.max(view.w * factor, full.w / 200), full.w * 4);
    const f = w / view.w;
    view = {x: cx - (cx - view.x) * f, y: cy - (cy - view.y) * f, w: view.w * f, h: view.h * f};
    apply();
  };
  const toDrawing = (event) => {
    const p = svg.createSVGPoint();
    p.x = event.clientX; p.y = event.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  };
  box.onwheel = (event) => {
    event.preventDefault();
    const p = toDrawing(event);
    zoom(event.deltaY > 0 ? 1.25 : 0.8, p.x, p.y);
  };
  let drag = null;
  box.onpointerdown = (event) => { drag = {x: event.clientX, y: event.clientY}; box.setPointerCapture(event.pointerId); };
  box.onpointermove = (event) => {
    if (!drag) return;
    const s = scale();
    view.x -= (event.clientX - drag.x) * s; view.y -= (event.clientY - drag.y) * s;
    drag = {x: event.clientX, y: event.clientY};
    apply();
  };
  box.onpointerup = box.onpointercancel = () => { drag = null; };
  const centre = () => ({x: view.x + view.w / 2, y: view.y + view.h / 2});
  $("zoom-in").onclick = () => { const c = centre(); zoom(0.67, c.x, c.y); };
  $("zoom-out").onclick = () => { const c = centre(); zoom(1.5, c.x, c.y); };
  $("zoom-fit").onclick = () => { view = {...full}; apply(); };
}

// ---------------------------------------------------------------- the what-if as a scenario
function numberOrRaw(input) {
  // an empty or invalid field goes to the server as it is, so its message names it (never a silent default)
  if (input.value === "") return null;
  const n = Number(input.value);
  return Number.isFinite(n) ? n : input.value;
}

function scenario() {
  const chain = state.chain, source = chain.what_if_source;
  const out = {};
  const edits = [];
  for (const step of chain.steps) {
    for (const lever of step.levers) {
      if (!lever.done && (state.levers[step.id] || {})[lever.verb]) {
        const edit = {[lever.verb]: step.id, source: `${source}; ${lever.source}`};
        if (lever.verb === "green_channel") edit.limit = chain.green_limit;
        edits.push(edit);
      }
    }
  }
  if (edits.length) out.edits = edits;
  const agencies = {};
  for (const a of chain.agencies) {
    const value = numberOrRaw($(`staff-${a.id}`));
    if (value !== a.staff) agencies[a.id] = {staff: value, source};
  }
  if (Object.keys(agencies).length) out.agencies = agencies;
  const demand = numberOrRaw($("demand"));
  if (demand !== chain.rate_per_workday) out.arrivals = {rate_per_workday: demand, source};
  return out;
}

function request() {
  return {chain: state.chain.id, scenario: scenario(), lang: state.lang, cases: numberOrRaw($("cases")),
          replications: numberOrRaw($("replications")), seed: numberOrRaw($("seed"))};
}

// ---------------------------------------------------------------- run and results
async function run() {
  const button = $("run");
  button.disabled = true;
  $("status").textContent = state.labels.running;
  try {
    await guarded(async () => {
      const body = request();
      const result = await api("/api/run", body);
      state.shown = body;
      renderResult(result, false);
    });
  } finally {
    button.disabled = false;
    $("status").textContent = "";
  }
}

function num(x) { return x === null || x === undefined ? "—" : x.toFixed(2); }

function pct(x) { return x === null || x === undefined ? "—" : `${(100 * x).toFixed(1)}%`; }

function renderResult(result, relabel) {
  // relabel: the same run in another language; the previous verdicts stay those of the run before it
  const L = state.labels;
  if (relabel) state.previous = state.beforeShown || {};
  const head = el("tr", {}, ...["target", "check", "verdict", "previous", "share", "interval", "reason"].map((k) => el("th", {text: L[k]})));
  const now = {};
  const rows = result.rows.map((r) => {
    const key = `${r.target}|${r.check}`;
    const before = state.previous[key];
    now[key] = r;
    const changed = before !== undefined && before.verdict !== r.verdict;
    const tr = el("tr", {"data-target": r.target, "data-verdict": r.verdict, class: changed ? "changed" : ""},
      el("td", {text: r.target}), el("td", {text: r.check}),
      el("td", {class: `v-${r.verdict} verdict`, text: r.words + (changed ? ` (${L.changed})` : "")}),
      el("td", {class: before ? `v-${before.verdict}` : "", text: before ? result.words[before.verdict] : "—"}),
      ...(r.statistic === "mean"  // judged on the mean (the plan states an average): show the mean, not the share
        ? [el("td", {text: `${L.mean} ${num(r.mean)}`}), el("td", {text: `${num(r.mean_lo)}–${num(r.mean_hi)}`})]
        : [el("td", {text: pct(r.share)}), el("td", {text: r.lo === null ? "—" : `${pct(r.lo)}–${pct(r.hi)}`})]),
      el("td", {class: "reason", text: r.reason}));
    return tr;
  });
  $("verdicts").replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  $("rule").textContent = result.rule;
  $("notes").replaceChildren(...result.changes.map((c) => el("p", {class: "change", text: `✓ ${c}`})),
    ...result.notes.map((n) => el("p", {class: "small", text: n})));
  // the server's own HTML (sim/report/html.py bottleneck_section): every text in it is escaped there
  $("bottlenecks").innerHTML = result.bottlenecks_html;
  if (!relabel) {
    state.beforeShown = state.previous;
    state.runs += 1;
    $("results").dataset.runs = String(state.runs);
  }
  state.previous = now;
}

async function save() {
  await guarded(async () => {
    const body = {...request(), name: $("save-name").value, report: $("save-report").checked};
    const result = await api("/api/save", body);
    $("saved").textContent = `${state.labels.saved}${result.scenario} (${result.files.join(", ")}) — ${result.command}`;
    $("saved").dataset.file = result.scenario;
  });
}

// ---------------------------------------------------------------- start
window.addEventListener("DOMContentLoaded", () => guarded(async () => {
  const chains = await api("/api/chains");
  state.lang = chains.lang;
  await loadLabels();
  $("lang").onclick = () => guarded(switchLang);
  $("chain").onchange = () => guarded(() => loadChain($("chain").value, false));
  $("run").onclick = run;
  $("save").onclick = save;
  await loadChains();
  document.body.dataset.ready = "1";
}));
