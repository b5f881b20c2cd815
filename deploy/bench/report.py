#!/usr/bin/env python3
"""Turns the JSON files of deploy/bench/run into docs/bench/RESULTS.md, TSV for the plots,
and Tsung's log into the same JSON shape as kaiku bench's login figures.

  report.py markdown WORK OUT.md   table of absolute figures and ratios, machine, versions, commands
  report.py tsv WORK               WORK/plot/chat-LABEL.tsv and muc-LABEL.tsv (offered, delivered/s, p50, p99 per step)
  report.py tsung-json TSUNG_LOG LABEL   Tsung's "auth" transaction, as JSON on stdout
"""
import json
import os
import re
import sys

SERVERS = ["kaiku", "ejabberd", "prosody"]
NAMES = {"kaiku": "Kaiku", "ejabberd": "ejabberd", "prosody": "Prosody"}


def load(work, name):
    path = os.path.join(work, "results", name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def dig(obj, *keys):
    for k in keys:
        if obj is None:
            return None
        obj = obj.get(k) if isinstance(obj, dict) else None
    return obj


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return f"{v:,}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def ratio(a, b):
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b == 0:
        return "-"
    return f"{a / b:.2f}"


def failure(work, name):
    """Why a scenario has no figures: the text deploy/bench/run wrote to results/NAME.failed, or None."""
    path = os.path.join(work, "results", name + ".failed")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read().strip() or "failed"


def rows(work, idle_counts):
    """(scenario, figure, better, {server: value}) for every figure of the table; a scenario that
    failed or was not run shows that word instead of a number (the notes below the table say why)."""
    out = []

    def add(scenario, figure, better, result, *keys, scale=None):
        vals = {}
        for s in SERVERS:
            name = f"{s}-{result}"
            r = load(work, name)
            v = dig(r, *keys)
            if v is not None and scale is not None:
                v = scale(v)
            if v is None and dig(r, "pubsub", "supported") is False:
                v = "not supported yet"  # the server answered the node creation with an error meaning "no PubSub"
            elif v is None and result in ("muc", "pubsub") and dig(r, result, "stopped") is not None:
                v = "stopped"  # the scenario ran but ended early; the notes below the table say why
            if v is None and failure(work, name) is not None:
                v = "not run" if failure(work, name).startswith("not run") else "failed"
            vals[s] = v
        out.append((scenario, figure, better, vals))

    add("login storm", "logins/s", "higher", "login", "login", "logins_per_s")
    add("login storm", "login time p50 (ms)", "lower", "login", "login", "login_ms", "p50")
    add("login storm", "login time p99 (ms)", "lower", "login", "login", "login_ms", "p99")
    add("login storm", "server CPU per login (ms)", "lower", "login", "login", "server_cpu_ms_per_session")
    add("login storm", "failed logins", "lower", "login", "login", "failed")
    add("one-to-one chat", "delivered msg/s at the knee", "higher", "chat", "chat", "knee", "delivered_per_s")
    add("one-to-one chat", "p50 latency at the knee (ms)", "lower", "chat", "chat", "knee", "latency_ms", "p50")
    add("one-to-one chat", "p99 latency at the knee (ms)", "lower", "chat", "chat", "knee", "latency_ms", "p99")
    add("one-to-one chat", "server CPU per message at the knee (µs)", "lower", "chat", "chat", "knee", "server_cpu_us_per_message")
    add("one-to-one chat", "messages lost (must be 0)", "lower", "chat", "chat", "loss")
    occupants = first(work, "muc", "users")
    label = f"group chat (1 room, {occupants:,} occupants)" if occupants else "group chat (1 room)"
    add(label, "occupants joined", "higher", "muc", "muc", "join", "joined")
    add(label, "join time p99 (ms)", "lower", "muc", "muc", "join", "join_ms", "p99")
    add(label, "deliveries/s at the knee", "higher", "muc", "muc", "knee", "delivered_per_s")
    add(label, "p50 latency at the knee (ms)", "lower", "muc", "muc", "knee", "latency_ms", "p50")
    add(label, "p99 latency at the knee (ms)", "lower", "muc", "muc", "knee", "latency_ms", "p99")
    add(label, "server CPU per delivery at the knee (µs)", "lower", "muc", "muc", "knee", "server_cpu_us_per_delivery")
    add(label, "deliveries lost (must be 0)", "lower", "muc", "muc", "loss")
    subscribers, online = first(work, "pubsub", "pubsub", "subscribers"), first(work, "pubsub", "users")
    label = (f"notifications (1 node, {subscribers:,} subscribers, {online:,} online)" if subscribers and online
             else "notifications (1 node)")
    add(label, "publish to last delivery p50 (ms)", "lower", "pubsub", "pubsub", "publish", "to_last_delivery_ms", "p50")
    add(label, "publish to last delivery max (ms)", "lower", "pubsub", "pubsub", "publish", "to_last_delivery_ms", "max")
    add(label, "delivery latency p99 (ms)", "lower", "pubsub", "pubsub", "publish", "delivery_latency_ms", "p99")
    add(label, "deliveries/s", "higher", "pubsub", "pubsub", "publish", "deliveries_per_s")
    add(label, "server CPU per delivery (µs)", "lower", "pubsub", "pubsub", "publish", "server_cpu_us_per_delivery")
    add(label, "deliveries lost (must be 0)", "lower", "pubsub", "pubsub", "publish", "loss")
    for n in idle_counts:
        label = f"idle sessions ({int(n):,})"
        add(label, "sessions held", "higher", f"idle-{n}", "memory", "sessions_held")
        add(label, "RSS per session (KiB)", "lower", f"idle-{n}", "memory", "rss_per_session_bytes", scale=kib)
        add(label, "heap per session (KiB, Kaiku)", "lower", f"idle-{n}", "memory", "heap_used_per_session_bytes", scale=kib)
        add(label, "direct memory per session (KiB, Kaiku)", "lower", f"idle-{n}", "memory",
            "direct_buffers_per_session_bytes", scale=kib)
    return out


def first(work, result, *keys):
    """keys of the first server's results/SERVER-RESULT.json that has them (sizes for the row labels)."""
    for s in SERVERS:
        v = dig(load(work, f"{s}-{result}"), *keys)
        if v is not None:
            return v
    return None


def stops(work):
    """(name, why) of every group chat or notifications run that ended early or found no PubSub."""
    out = []
    for s in SERVERS:
        for result in ["muc", "pubsub"]:
            r = dig(load(work, f"{s}-{result}"), result)
            if r is not None and r.get("stopped"):
                extra = r.get("create_answer") or dig(r, "offline_subscriptions", "refused")
                errs = r.get("errors") or {}
                why = r["stopped"] + (f" (`{extra}`)" if extra else "")
                if errs:
                    why += "; errors: " + ", ".join(f"{k}: {v}" for k, v in errs.items())
                out.append((f"{s}-{result}", why))
    return out


def failures(work):
    """(name, why) of every scenario that failed or was not run, in file-name order."""
    d = os.path.join(work, "results")
    return [(f[:-len(".failed")], failure(work, f[:-len(".failed")])) for f in sorted(os.listdir(d)) if f.endswith(".failed")]


def kib(v):
    return None if v is None else v / 1024.0


def meta(work):
    m = {}
    path = os.path.join(work, "meta.txt")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    m[k] = v
    return m


def markdown(work, out_path):
    m = meta(work)
    scale = m.get("scale", "?")
    idle_pattern = r".*-idle-(\d+)\.(json|failed)"
    idle_counts = sorted({re.match(idle_pattern, f).group(1)
                          for f in os.listdir(os.path.join(work, "results")) if re.match(idle_pattern, f)}, key=int)
    lines = ["# Kaiku, ejabberd and Prosody side by side", ""]
    if scale != "full":
        lines += [f"> **SMOKE RUN (scale `{scale}`).** These figures only show that the harness works end to end;",
                  "> they come from a tiny load on a shared machine and are **not measurements**. Run",
                  "> `deploy/bench/run` (scale `full`) on a quiet machine for real figures.", ""]
    lines += ["Made by `deploy/bench/run` (see [README.md](README.md)); every figure below was measured by the",
              "commands listed at the end. Ratios are Kaiku divided by the other server; whether higher or",
              "lower is better is stated per row. A dash: not measured (see notes); \"failed\" and \"not run\":",
              "the scenario broke or could not start, for the reason listed under the table.", "",
              "| scenario | figure | better | Kaiku | ejabberd | Prosody | Kaiku / ejabberd | Kaiku / Prosody |",
              "|---|---|---|---|---|---|---|---|"]
    for scenario, figure, better, vals in rows(work, idle_counts):
        k, e, p = vals["kaiku"], vals["ejabberd"], vals["prosody"]
        lines.append(f"| {scenario} | {figure} | {better} | {fmt(k)} | {fmt(e)} | {fmt(p)} | {ratio(k, e)} | {ratio(k, p)} |")
    lines.append("")
    fails = failures(work)
    if fails:
        lines += ["Scenarios that failed or were not run, and why:", ""]
        lines += [f"- `{name}`: {why}" for name, why in fails]
        lines.append("")
    stopped = stops(work)
    if stopped:
        lines += ["Where the group chat and notification runs stopped (the ramp's end, or \"stopped\" and \"not supported yet\" above):", ""]
        lines += [f"- `{name}`: {why}" for name, why in stopped]
        lines.append("")
    lines += ["Server CPU is user + system time from `/proc/PID/stat` (Kaiku: its JVM plus its Cassandra) over the",
              "login phase, or over a chat step and its drain, divided by the logins or messages; it includes the",
              "server's background work, which dominates at small loads. RSS per session likewise sums Kaiku's two",
              "processes; heap and direct memory are the Kaiku JVM's, after a full GC.", "",
              "Group chat (XEP-0045): every session joins one room at conference.DOMAIN (the first one creates it,",
              "accepting the default configuration if the room comes locked), then a few occupants post at rising",
              "rates; a delivery is one message reaching one occupant (the sender's reflection included), so a",
              "step offers messages/s times occupants deliveries/s. Latency runs from send to each delivery; the",
              "knee is the highest step with no loss that delivered at least 95% of its offered deliveries a second.",
              "Notifications (XEP-0060): the first session creates one open node at pubsub.DOMAIN and subscribes the",
              "offline accounts as its owner (modify subscriptions), the online sessions subscribe themselves, then",
              "items are published one at a time, each once the previous one reached every online subscriber;",
              "deliveries/s is all deliveries over the time from the first publish to the last delivery. A server",
              "that answers the node creation with service-unavailable, item-not-found, feature-not-implemented or",
              "remote-server-not-found (or not at all) shows \"not supported yet\".",
              ""]

    # per-step chat figures
    lines += ["## One-to-one chat, step by step", "",
              "| server | offered msg/s | sent/s | delivered/s | p50 ms | p99 ms | loss | server CPU µs/msg |", "|---|---|---|---|---|---|---|---|"]
    for s in SERVERS:
        for st in dig(load(work, s + "-chat"), "chat", "steps") or []:
            lines.append(f"| {NAMES[s]} | {fmt(st['offered_per_s'])} | {fmt(st['sent_per_s'])} | {fmt(st['delivered_per_s'])} | "
                         f"{fmt(dig(st, 'latency_ms', 'p50'))} | {fmt(dig(st, 'latency_ms', 'p99'))} | {st['loss']} | "
                         f"{fmt(st.get('server_cpu_us_per_message'))} |")
    lines += ["", "The knee is the highest step with no loss that delivered at least 95% of its offered rate.", ""]
    if os.path.exists(os.path.join(os.path.dirname(out_path), "chat-throughput.png")):
        lines += ["![delivered against offered](chat-throughput.png)", "", "![p99 latency against offered](chat-latency.png)", ""]

    # per-step group chat figures
    muc_rows = []
    for s in SERVERS:
        for st in dig(load(work, s + "-muc"), "muc", "steps") or []:
            muc_rows.append(f"| {NAMES[s]} | {fmt(st['offered_msg_per_s'])} | {st['occupants']:,} | "
                            f"{fmt(st['offered_deliveries_per_s'])} | {fmt(st['delivered_per_s'])} | "
                            f"{fmt(dig(st, 'latency_ms', 'p50'))} | {fmt(dig(st, 'latency_ms', 'p99'))} | {st['loss']} | "
                            f"{fmt(st.get('server_cpu_us_per_delivery'))} |")
    if muc_rows:
        lines += ["## Group chat, step by step", "",
                  "| server | msg/s into the room | occupants | offered deliveries/s | delivered/s | p50 ms | p99 ms | "
                  "deliveries lost | server CPU µs/delivery |", "|---|---|---|---|---|---|---|---|---|"]
        lines += muc_rows + [""]
        if os.path.exists(os.path.join(os.path.dirname(out_path), "muc-throughput.png")):
            lines += ["![group chat: delivered against offered](muc-throughput.png)", ""]

    # Tsung cross-check
    lines += ["## Load tool checked against Tsung", "",
              "Same scenario for both (login with SASL PLAIN over STARTTLS, bind, session, roster; same users, same",
              "arrival rate): Tsung's `auth` transaction against kaiku bench's `auth_ms` (end of TLS to roster result),",
              "the latter with `--quick-ack` (no delayed ACKs) and, for contrast, without. Tsung ends a request at the",
              "first packet back and sends the next one at once, so it never waits for a second packet; a server",
              "that writes one reply (stream header, then features) in two segments without TCP_NODELAY stalls an",
              "ordinary client until its delayed ACK (about 40 ms on Linux) at each stream restart. The last",
              "column shows that stall as ordinary clients meet it.", "",
              "| server | Tsung auth mean (ms) | kaiku bench --quick-ack auth mean (ms) | kaiku bench / Tsung | Tsung sessions | kaiku bench, delayed ACKs (ms) |",
              "|---|---|---|---|---|---|"]
    for s in SERVERS:
        t = load(work, s + "-tsung")
        kb = dig(load(work, s + "-tsung-kb"), "login", "auth_ms", "mean")
        if t is None and kb is None:
            continue
        tm = dig(t, "auth_ms", "mean")
        delayed = dig(load(work, s + "-tsung-kb-delayed-ack"), "login", "auth_ms", "mean")
        lines.append(f"| {NAMES[s]} | {fmt(tm)} | {fmt(kb)} | {ratio(kb, tm)} | {fmt(dig(t, 'auth_ms', 'count'))} | {fmt(delayed)} |")
    lines.append("")

    prof = os.path.join(work, "kaiku", "jfr-top.txt")
    if os.path.exists(prof) and os.path.getsize(prof) > 0:
        with open(prof) as f:
            lines += ["## Kaiku: where the time goes in the chat scenario (JFR)", "",
                      "Most sampled top frames (`jdk.ExecutionSample`, profile settings) over the chat steps: the",
                      "recording starts (`jcmd JFR.start`) once the load tool reports step 1, so the logins before it",
                      "are left out, and is dumped after the last step; the recording is",
                      "`kaiku/chat.jfr` in the scratch directory (`jfr print`, `jfr summary`, JDK Mission Control).", "", "```",
                      f.read().rstrip(), "```", ""]

    lines += ["## Machine and versions", ""]
    for k in ["date", "cpu", "nproc", "memory", "kernel", "java", "tsung", "open_files", "load_before"]:
        if k in m:
            lines.append(f"- {k}: {m[k]}")
    for k, v in sorted(m.items()):
        if k.startswith("version."):
            lines.append(f"- {k[8:]}: {v}")
    lines += ["", "## Commands", "", "```", m.get("command", "deploy/bench/run")]
    cmds = os.path.join(work, "commands.txt")
    if os.path.exists(cmds):
        with open(cmds) as f:
            lines.append(f.read().rstrip().replace(work + "/", ""))
    lines += ["```", "", "Raw results (one JSON file per run) stay in the scratch directory, `results/`.", ""]
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        f.write("\n".join(lines))


def tsv(work):
    os.makedirs(os.path.join(work, "plot"), exist_ok=True)
    present = []
    for s in SERVERS:
        steps = dig(load(work, s + "-chat"), "chat", "steps") or []
        if not steps:
            continue
        present.append(s)
        with open(os.path.join(work, "plot", f"chat-{s}.tsv"), "w") as f:
            f.write("# offered_per_s\tdelivered_per_s\tp50_ms\tp99_ms\n")
            for st in steps:
                f.write(f"{st['offered_per_s']}\t{st['delivered_per_s']}\t{dig(st, 'latency_ms', 'p50') or 0}\t"
                        f"{dig(st, 'latency_ms', 'p99') or 0}\n")
    with open(os.path.join(work, "plot", "servers.txt"), "w") as f:
        f.write(" ".join(present) + "\n")
        f.write(" ".join(NAMES[s] for s in present) + "\n")
    present = []
    for s in SERVERS:
        steps = dig(load(work, s + "-muc"), "muc", "steps") or []
        if not steps:
            continue
        present.append(s)
        with open(os.path.join(work, "plot", f"muc-{s}.tsv"), "w") as f:
            f.write("# offered_deliveries_per_s\tdelivered_per_s\tp50_ms\tp99_ms\n")
            for st in steps:
                f.write(f"{st['offered_deliveries_per_s']}\t{st['delivered_per_s']}\t{dig(st, 'latency_ms', 'p50') or 0}\t"
                        f"{dig(st, 'latency_ms', 'p99') or 0}\n")
    with open(os.path.join(work, "plot", "muc-servers.txt"), "w") as f:
        f.write(" ".join(present) + "\n")
        f.write(" ".join(NAMES[s] for s in present) + "\n")


def tsung_json(log_path, label):
    """Sums Tsung's per-interval 'stats: tr_auth COUNT MEAN STDDEV MAX MIN ...' lines (ms)."""
    count, total, mx = 0, 0.0, None
    errors = {}
    finished = 0
    with open(log_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 7 and parts[0] == "stats:" and parts[1] == "tr_auth":
                n, mean, high = int(parts[2]), float(parts[3]), float(parts[5])
                if n > 0:
                    count += n
                    total += n * mean
                    mx = high if mx is None else max(mx, high)
            elif len(parts) >= 4 and parts[0] == "stats:" and parts[1].startswith("error_"):
                errors[parts[1]] = int(parts[3])
            elif len(parts) >= 4 and parts[0] == "stats:" and parts[1] == "finish_users_count":
                finished = int(parts[3])
    out = {"scenario": "tsung-login", "label": label, "log": log_path, "finished_users": finished, "errors": errors,
           "auth_ms": {"count": count, "mean": round(total / count, 3) if count else None, "max": mx}}
    json.dump(out, sys.stdout, indent=2)
    print()


def main(argv):
    if len(argv) >= 3 and argv[0] == "markdown":
        markdown(argv[1], argv[2])
    elif len(argv) >= 2 and argv[0] == "tsv":
        tsv(argv[1])
    elif len(argv) >= 3 and argv[0] == "tsung-json":
        tsung_json(argv[1], argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
