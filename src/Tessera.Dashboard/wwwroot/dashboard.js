// Tessera dashboard: live pages fed by server-sent events from /api/v1/events (see docs/dashboard.md).
// Plain JavaScript and SVG; no build step, no libraries.
"use strict";
(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
                   "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"];
  const STREAM_KEEP = 20000;      // records kept in the page
  const STREAM_DRAW = 4000;       // bars drawn at most (the newest)
  // Transfers and disk writes and reads: Dask's colours (red, orange), on a row of their own per worker.
  const MOVE_COLOURS = { transfer: "#d62728", "disk-write": "#ff7f0e", "disk-read": "#fdae6b" };
  const page = document.body.dataset.page;
  const records = [];
  const seenPrefixes = new Map(); // prefix -> last counts, kept after the scheduler forgot the tasks

  function colour(prefix) {
    let h = 0;
    for (let i = 0; i < prefix.length; i++) h = (h * 31 + prefix.charCodeAt(i)) | 0;
    return PALETTE[Math.abs(h) % PALETTE.length];
  }
  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function bytes(n) {
    if (!n) return "0 B";
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + u[i];
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function summary(s) {
    const threads = s.workers.reduce((a, w) => a + w.threads, 0);
    document.getElementById("summary").textContent =
      `${s.workers.length} workers · ${threads} threads · ${s.tasks.total} tasks · ${s.tasksFinished} finished · ${bytes(s.workers.reduce((a, w) => a + stored(w), 0))} stored`;
  }

  function progress(s) {
    const box = document.getElementById("progress");
    const current = new Set();
    for (const p of s.prefixes) { seenPrefixes.set(p.prefix, p.counts); current.add(p.prefix); }
    clear(box);
    if (seenPrefixes.size === 0) { box.innerHTML = '<p class="empty">No tasks yet.</p>'; return; }
    for (const [prefix, c] of seenPrefixes) {
      const gone = !current.has(prefix);
      const waiting = c.waiting + c.noWorker + c.queued;
      // Released tasks of a prefix are done ones whose results were let go; forgotten prefixes are all done.
      const done = gone ? c.total : c.memory + c.released + c.erred;
      const pct = c.total ? Math.floor(100 * done / c.total) : 100;
      const row = document.createElement("div");
      row.className = "prefix-row" + (gone ? " forgotten" : "");
      row.dataset.prefix = prefix;
      row.dataset.percent = String(pct);
      const name = document.createElement("span"); name.className = "name"; name.textContent = prefix; name.title = prefix;
      const bar = document.createElement("span"); bar.className = "bar";
      const parts = gone ? [["memory", c.total]] : [["memory", c.memory + c.released], ["processing", c.processing], ["erred", c.erred]];
      for (const [cls, n] of parts) {
        if (!n) continue;
        const seg = document.createElement("span");
        seg.className = cls; seg.style.width = (100 * n / c.total) + "%";
        if (cls !== "erred") seg.style.background = colour(prefix);
        bar.appendChild(seg);
      }
      const count = document.createElement("span"); count.className = "count";
      count.innerHTML = `<span class="pct">${pct}%</span> ${done}/${c.total}` + (waiting ? ` · ${waiting} waiting` : "");
      row.append(name, bar, count);
      box.appendChild(row);
    }
  }

  // A task run's row is its worker thread; a worker's transfers and disk writes and reads share one row below its threads.
  function laneOf(r) { return r.worker + "#" + (r.kind === "compute" ? r.thread : "io"); }

  function taskStream(s) {
    const svg = document.getElementById("task-stream");
    const moving = new Set();
    for (const r of records) if (r.kind !== "compute") moving.add(r.worker);
    const lanes = [];
    for (const w of s.workers) {
      for (let t = 0; t < Math.max(1, w.threads); t++) lanes.push(w.address + "#" + t);
      if (moving.has(w.address)) lanes.push(w.address + "#io");
    }
    const laneIndex = new Map(lanes.map((id, i) => [id, i]));
    for (const r of records) { const id = laneOf(r); if (!laneIndex.has(id)) { laneIndex.set(id, lanes.length); lanes.push(id); } }
    const names = new Map(s.workers.map(w => [w.address, w.name || w.address]));
    const rowH = 18, left = 150, width = svg.clientWidth || 900;
    const height = Math.max(40, lanes.length * rowH + 24);
    svg.setAttribute("height", height);
    clear(svg);
    lanes.forEach((id, i) => {
      const [addr, thread] = id.split("#");
      el("text", { x: 4, y: i * rowH + 13 }, svg).textContent = (names.get(addr) || addr).replace(/^(tcp|memory):\/\//, "") + (thread === "io" ? " · transfers, disk" : " · thread " + thread);
      el("line", { x1: left, x2: width, y1: (i + 1) * rowH, y2: (i + 1) * rowH, stroke: "#eee" }, svg);
    });
    if (records.length === 0) { el("text", { x: left + 8, y: 13, class: "empty" }, svg).textContent = "No tasks have run yet."; return; }
    const shown = records.slice(-STREAM_DRAW);
    let t1 = -Infinity, t0 = Infinity;
    for (const r of shown) { if (r.stop > t1) t1 = r.stop; if (r.start < t0) t0 = r.start; }
    t0 = Math.max(t0, t1 - 60);
    const span = Math.max(t1 - t0, 0.001), scale = (width - left - 8) / span;
    for (const r of shown) {
      const lane = laneIndex.get(laneOf(r));
      if (r.stop < t0) continue;
      const x = left + (Math.max(r.start, t0) - t0) * scale;
      const compute = r.kind === "compute";
      const rect = el("rect", { x: x.toFixed(1), y: lane * rowH + 2, width: Math.max(compute ? 1 : 2, (r.stop - Math.max(r.start, t0)) * scale).toFixed(1), height: rowH - 4,
                                fill: compute ? colour(r.prefix) : MOVE_COLOURS[r.kind] || "#999", class: compute ? "task-bar" : r.kind + "-bar",
                                "data-prefix": r.prefix, "data-kind": r.kind }, svg);
      const ms = ((r.stop - r.start) * 1000).toFixed(2) + " ms";
      el("title", {}, rect).textContent = compute ? `${r.key} on ${r.worker} (thread ${r.thread}): ${ms}`
        : `${r.kind} on ${r.worker}${r.peer ? " from " + r.peer : ""}: ${r.keys} key${r.keys === 1 ? "" : "s"} (${r.key}${r.keys > 1 ? ", …" : ""}), ${bytes(r.bytes)} in ${ms}`;
    }
    el("text", { x: width - 4, y: height - 4, "text-anchor": "end" }, svg).textContent = `last ${span.toFixed(span < 1 ? 3 : 1)} s`;
  }

  // One bar per worker; `spilled`, when given, is stacked after the bar in the disk colour.
  function workerBars(svgId, s, value, limit, label, spilled) {
    const svg = document.getElementById(svgId);
    const rowH = 20, left = 150, width = svg.clientWidth || 400, labelW = spilled ? 170 : 90, barW = Math.max(10, width - left - labelW);
    svg.setAttribute("height", Math.max(30, s.workers.length * rowH + 8));
    clear(svg);
    const max = Math.max(1, ...s.workers.map(w => Math.max(value(w) + (spilled ? spilled(w) : 0), limit ? limit(w) : 0)));
    s.workers.forEach((w, i) => {
      el("text", { x: 4, y: i * rowH + 14 }, svg).textContent = w.name || w.address;
      const inMemory = barW * value(w) / max;
      el("rect", { x: left, y: i * rowH + 3, width: Math.max(0, inMemory).toFixed(1), height: rowH - 6, fill: "#4c78a8", class: "worker-bar", "data-worker": w.address }, svg);
      if (spilled && spilled(w) > 0) {
        el("rect", { x: (left + inMemory).toFixed(1), y: i * rowH + 3, width: Math.max(1, barW * spilled(w) / max).toFixed(1), height: rowH - 6,
                     fill: MOVE_COLOURS["disk-write"], class: "spilled-bar", "data-worker": w.address }, svg);
      }
      if (limit && limit(w) > 0) {
        const x = left + barW * limit(w) / max;
        el("line", { x1: x, x2: x, y1: i * rowH + 1, y2: (i + 1) * rowH - 1, stroke: "#d62728", "stroke-width": 2 }, svg);
      }
      el("text", { x: width - labelW + 4, y: i * rowH + 14 }, svg).textContent = label(w);
    });
  }

  // Bytes a worker holds in memory: its last heartbeat's count, or, until the first heartbeat, the scheduler's
  // own (which counts the spilled results too, so they are taken off).
  function stored(w) { return Math.max(w.storedBytes, w.managedBytes - w.spilledBytes); }

  function workersTable(s) {
    const body = document.querySelector("#workers-table tbody");
    clear(body);
    for (const w of s.workers) {
      const tr = document.createElement("tr");
      tr.className = "worker-row";
      tr.dataset.worker = w.address;
      for (const [v, cls] of [[w.address], [w.name || ""], [w.threads], [w.cpuPercent.toFixed(0) + " %", "cpu"], [bytes(w.memoryBytes), "memory"],
                              [w.memoryLimit ? bytes(w.memoryLimit) : "none"], [bytes(stored(w))], [bytes(w.spilledBytes), "spilled"],
                              [w.processing], [w.executing], [w.keysHeld], [`${w.keysIn} · ${bytes(w.bytesIn)}`], [`${w.keysOut} · ${bytes(w.bytesOut)}`],
                              [w.lastSeenSecondsAgo.toFixed(1) + " s ago"]]) {
        const td = document.createElement("td"); td.textContent = v; if (cls) td.className = cls; tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  function render(update) {
    const s = update.status;
    for (const r of update.taskStream.records) records.push(r);
    if (records.length > STREAM_KEEP) records.splice(0, records.length - STREAM_KEEP);
    summary(s);
    if (page === "status") {
      taskStream(s);
      progress(s);
      workerBars("worker-bytes", s, stored, w => w.memoryLimit, w => bytes(stored(w)) + (w.spilledBytes ? ` + ${bytes(w.spilledBytes)} on disk` : ""), w => w.spilledBytes);
      workerBars("worker-processing", s, w => w.processing, null, w => String(w.processing));
    } else if (page === "workers") {
      workersTable(s);
    }
    document.body.dataset.updates = String((Number(document.body.dataset.updates) || 0) + 1);
  }

  // ---- Graph, Info and Profile pages: polled from their JSON routes (every 2 s), not part of the live stream.
  const STATE_COLOURS = { released: "#d9d9d9", waiting: "#b0b0b0", "no-worker": "#e6550d", queued: "#9ecae1", processing: "#3182bd",
                          memory: "#31a354", erred: "#222222", forgotten: "#ffffff" };
  const STATES = ["released", "waiting", "no-worker", "queued", "processing", "memory", "erred"];
  const COUNT_NAMES = { "no-worker": "noWorker" };
  function row(body, cells, cls) {
    const tr = document.createElement("tr");
    if (cls) tr.className = cls;
    for (const c of cells) {
      const td = document.createElement("td");
      if (c instanceof Node) td.appendChild(c); else td.textContent = c;
      if (typeof c === "number") td.className = "num";
      tr.appendChild(td);
    }
    body.appendChild(tr);
    return tr;
  }
  function seconds(x) { return x < 1 ? (x * 1000).toFixed(x < 0.01 ? 2 : 1) + " ms" : x.toFixed(2) + " s"; }
  function utc(t) { return new Date(t * 1000).toISOString().replace("T", " ").replace("Z", ""); }

  function graph(g) {
    const svg = document.getElementById("graph-svg"), summaryBox = document.getElementById("graph-summary");
    const legend = document.getElementById("graph-legend");
    document.body.dataset.graphTasks = String(g.taskCount);
    document.body.dataset.graphSummarized = String(g.summarized);
    clear(legend);
    const totals = {};
    for (const p of g.prefixes) for (const st of STATES) totals[st] = (totals[st] || 0) + p.counts[COUNT_NAMES[st] || st];
    for (const st of STATES) {
      const item = document.createElement("span");
      item.style.setProperty("--c", STATE_COLOURS[st]);
      item.textContent = `${st} ${totals[st] || 0}`;
      legend.appendChild(item);
    }
    document.getElementById("graph-caption").textContent = g.summarized
      ? `${g.taskCount} tasks: more than ${g.limit}, so summarized by prefix`
      : `${g.taskCount} tasks by dependency depth (left to right), coloured by state; outline by prefix`;
    clear(svg);
    svg.hidden = g.summarized;
    summaryBox.hidden = !g.summarized;
    if (g.summarized) {
      const body = document.querySelector("#graph-prefixes tbody"), edges = document.querySelector("#graph-prefix-edges tbody");
      clear(body); clear(edges);
      for (const p of g.prefixes) {
        row(body, [p.prefix, p.counts.total, ...STATES.map(st => p.counts[COUNT_NAMES[st] || st])], "graph-prefix").dataset.prefix = p.prefix;
      }
      for (const e of g.prefixEdges) row(edges, [e.from, e.to, e.count]);
      return;
    }
    if (g.nodes.length === 0) { svg.setAttribute("height", 30); el("text", { x: 8, y: 18, class: "empty" }, svg).textContent = "The scheduler tracks no tasks."; return; }
    let rows = 1;
    for (const n of g.nodes) rows = Math.max(rows, n.position + 1);
    const width = Math.max(svg.parentNode.clientWidth || 900, 200);
    const colW = Math.max(24, Math.min(160, (width - 40) / Math.max(1, g.layers)));
    const rowH = rows > 200 ? 6 : rows > 50 ? 10 : 18, r = Math.max(2, Math.min(6, rowH / 2 - 1));
    const x = n => 20 + n.layer * colW, y = n => 12 + n.position * rowH;
    svg.setAttribute("width", Math.max(width, 40 + g.layers * colW));
    svg.setAttribute("height", 24 + rows * rowH);
    // All edges as one path: thousands of lines stay one element.
    let d = "";
    for (const [from, to] of g.edges) d += `M${x(g.nodes[from])},${y(g.nodes[from])}L${x(g.nodes[to])},${y(g.nodes[to])}`;
    if (d) el("path", { d, stroke: "#c8ccd0", "stroke-width": 1, fill: "none" }, svg);
    for (const n of g.nodes) {
      const c = el("circle", { cx: x(n), cy: y(n), r, fill: STATE_COLOURS[n.state] || "#999", stroke: colour(n.prefix), "stroke-width": 1.5,
                               class: "graph-node", "data-prefix": n.prefix, "data-state": n.state }, svg);
      el("title", {}, c).textContent = `${n.key}: ${n.state}`;
    }
  }

  function info(i) {
    const s = i.scheduler;
    const box = document.querySelector("#scheduler-info tbody");
    clear(box);
    for (const [k, v] of [["Address", s.address], ["Started", utc(s.startTime) + " UTC"], ["Version", s.version], ["Runtime", s.runtime],
                          ["Operating system", s.operatingSystem], ["Machine", `${s.machineName} (${s.processorCount} logical processors)`],
                          ["Process id", s.processId], ["Worker saturation", s.workerSaturation], ["Worker timeout", s.workerTimeoutSeconds + " s"],
                          ["Allowed failures", s.allowedFailures], ["Dashboard update interval", s.dashboardUpdateIntervalSeconds + " s"],
                          ["Snapshot interval", s.snapshotIntervalSeconds + " s"], ["Graph page task limit", s.graphTaskLimit]]) {
      row(box, [k, String(v)]);
    }
    const workers = document.querySelector("#workers-info tbody");
    clear(workers);
    for (const w of i.workers) row(workers, [w.address, w.name || "", w.threads, w.memoryLimit ? bytes(w.memoryLimit) : "none"], "worker-info").dataset.worker = w.address;
    const log = document.querySelector("#scheduler-log tbody");
    clear(log);
    for (const l of i.logs) row(log, [utc(l.time), l.level, l.source.replace(/^(tcp|memory):\/\//, ""), l.message], "log-line log-" + l.level).dataset.source = l.source;
  }

  function profile(p) {
    document.getElementById("profile-caption").textContent = `${p.records} runs over ${seconds(p.spanSeconds)} from the task stream`;
    const body = document.querySelector("#profile-prefixes tbody");
    clear(body);
    const all = p.prefixes.reduce((a, x) => a + x.totalSeconds, 0) || 1;
    for (const x of p.prefixes) {
      const bar = document.createElement("span");
      bar.className = "share-bar"; bar.style.background = colour(x.prefix); bar.style.width = Math.max(1, 200 * x.totalSeconds / all) + "px";
      const share = document.createElement("span");
      share.append(bar, ` ${(100 * x.totalSeconds / all).toFixed(1)}%`);
      row(body, [x.prefix, x.count, seconds(x.totalSeconds), seconds(x.meanSeconds), seconds(x.maxSeconds), share], "profile-row").dataset.prefix = x.prefix;
    }
    const table = document.getElementById("profile-workers"), head = table.tHead, rows = table.tBodies[0];
    clear(head); clear(rows);
    row(head, ["Prefix", ...p.workers.map(w => w.worker.replace(/^(tcp|memory):\/\//, ""))]);
    for (const x of p.prefixes) {
      const per = new Map(x.workers.map(w => [w.worker, w]));
      row(rows, [x.prefix, ...p.workers.map(w => per.has(w.worker) ? `${per.get(w.worker).totalSeconds.toFixed(3)} (${per.get(w.worker).count})` : "")]);
    }
    row(rows, ["all", ...p.workers.map(w => `${w.totalSeconds.toFixed(3)} (${w.count})`)]);
  }

  const POLLED = { graph: ["/api/v1/graph", graph], info: ["/api/v1/info", info], profile: ["/api/v1/profile", profile] };
  async function poll() {
    const [route, draw] = POLLED[page];
    try {
      const response = await fetch(route, { cache: "no-store" });
      if (response.ok) {
        draw(await response.json());
        document.body.dataset.polls = String((Number(document.body.dataset.polls) || 0) + 1);
      }
    } catch (e) {
      document.getElementById("summary").textContent = "disconnected; retrying…";
    }
    setTimeout(poll, 2000);
  }

  // The task stream is needed on the status page only; elsewhere the cursor skips it.
  let since = page === "status" ? 0 : Number.MAX_SAFE_INTEGER;
  function connect() {
    const source = new EventSource("/api/v1/events?since=" + since);
    source.addEventListener("update", e => {
      const update = JSON.parse(e.data);
      if (page !== "status") update.taskStream.records = [];
      if (update.taskStream.next > since || page !== "status") since = Math.max(since, update.taskStream.next);
      render(update);
    });
    source.onerror = () => { document.getElementById("summary").textContent = "disconnected; retrying…"; };
  }
  // A performance report carries its data in the page: it renders once, with no server.
  if (window.tesseraReport) {
    render(window.tesseraReport);
    if (window.tesseraReport.profile) profile(window.tesseraReport.profile);
  } else {
    connect();
    if (POLLED[page]) poll();
  }
})();
