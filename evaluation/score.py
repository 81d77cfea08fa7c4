"""Score backpropdoctor on the held-out networks in evaluation/holdout/.

Run from anywhere:  python evaluation/score.py [--set NAME] [netNN.py ...]

--set NAME scores evaluation/NAME/ instead (default: holdout), e.g. --set holdout2.
For each file listed in <set>/TRUTH.json this runs
    <this python> -m backpropdoctor check FILE --format json
compares the error/warning findings with the ground truth and prints one row
per file, then the totals. Plain Python: json + subprocess only.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
HOLDOUT = os.path.join(HERE, "holdout")
TIMEOUT = 180  # seconds per file, on top of the tool's own --timeout

# Rules that judge the gradient or name a backprop bug (the first two groups of
# `backpropdoctor rules`). A finding of one of these, at error or warning
# severity, on a correct network is a false alarm.
GRADIENT_RULES = {
    "flipped-sign", "gradient-mismatch", "missing-gradient", "nondeterministic-loss",
    "params-mutated", "regularization-gradient", "scaled-gradient",
    "transposed-gradient", "update-ascends",
}
DIAGNOSIS_RULES = {
    "activation-derivative-wrong-tensor", "bias-gradient", "missing-activation-derivative",
    "softmax-jacobian", "wrong-reduction",
}
JUDGED = GRADIENT_RULES | DIAGNOSIS_RULES
SEVERE = {"error", "warning"}


def run_tool(path):
    """Return (status, findings, note) for one file."""
    cmd = [sys.executable, "-m", "backpropdoctor", "check", path, "--format", "json"]
    try:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "error", [], "scorer timeout"
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return "error", [], f"no JSON (exit {proc.returncode}): {tail[0][:80]}"
    findings = [f for f in report.get("findings", []) if f.get("severity") in SEVERE]
    note = ""
    if report.get("status") == "error":
        note = ", ".join(sorted({f.get("rule", "?") for f in findings})) or "error"
    return report.get("status", "error"), findings, note


def fmt_pairs(pairs):
    if not pairs:
        return "-"
    return ", ".join(rule if line is None else f"{rule}@{line}" for rule, line in pairs)


def score_file(name, truth, set_dir=HOLDOUT):
    status, findings, note = run_tool(os.path.join(set_dir, name))
    true_rules = truth["rules"]
    true_lines = truth["lines"]
    found = [(f.get("rule"), f.get("line")) for f in findings]
    found_rules = {r for r, _ in found}
    rule_ok = all(r in found_rules for r in true_rules)
    line_checks = []
    for rule, line in zip(true_rules, true_lines):
        if line is None:
            continue
        line_checks.append(any(r == rule and l == line for r, l in found))
    line_ok = rule_ok and all(line_checks)
    extra = sorted(found_rules - set(true_rules))
    false_alarm = sorted(r for r in found_rules if r in JUDGED) if not true_rules else []
    return {
        "file": name, "status": status, "note": note,
        "expected": list(zip(true_rules, true_lines)), "found": found,
        "buggy": bool(true_rules), "rule_ok": rule_ok,
        "line_ok": line_ok, "has_line": bool(line_checks),
        "extra": extra, "false_alarm": false_alarm,
    }


def verdict(row):
    if row["status"] == "error":
        head = f"NOT CHECKED ({row['note']})"
    else:
        head = ""
    if not row["buggy"]:
        v = "clean" if not row["false_alarm"] else "FALSE ALARM"
        return (head + " " + v).strip()
    v = "rule " + ("ok" if row["rule_ok"] else "MISS")
    if row["has_line"]:
        v += ", line " + ("ok" if row["line_ok"] else "MISS")
    else:
        v += ", line n/a"
    if row["extra"]:
        v += ", extra: " + ", ".join(row["extra"])
    return (head + " " + v).strip()


def table(rows, headers):
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def share(num, den):
    return f"{num}/{den} = {100.0 * num / den:.0f}%" if den else "n/a"


def tool_version():
    """One line naming what was scored: git commit (and whether the tree is dirty)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "backpropdoctor"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        return "git not available"
    return f"backpropdoctor at {head or '?'}" + (" + uncommitted changes in backpropdoctor/" if dirty else "")


def parse_args(argv):
    """Return (set directory, file names) from [--set NAME | --set=NAME] [files...]."""
    set_name, files = "holdout", []
    it = iter(argv)
    for arg in it:
        if arg == "--set":
            set_name = next(it, None)
            if not set_name:
                sys.exit("score.py: --set needs a directory name, e.g. --set holdout2")
        elif arg.startswith("--set="):
            set_name = arg[len("--set="):]
        else:
            files.append(arg)
    set_dir = set_name if os.path.isabs(set_name) else os.path.join(HERE, set_name)
    if not os.path.isfile(os.path.join(set_dir, "TRUTH.json")):
        sys.exit(f"score.py: no TRUTH.json in {set_dir}")
    return set_dir, files


def main(argv):
    set_dir, files = parse_args(argv)
    with open(os.path.join(set_dir, "TRUTH.json")) as fh:
        truth = json.load(fh)
    names = sorted(truth)
    if files:
        names = [os.path.basename(a) for a in files]
    results = []
    for name in names:
        results.append(score_file(name, truth[name], set_dir))
        print(f"checked {name}", file=sys.stderr, flush=True)

    print(tool_version())
    if os.path.normpath(set_dir) != os.path.normpath(HOLDOUT):
        print(f"set: {os.path.relpath(set_dir, REPO)}")
    rows = [[r["file"], r["status"], fmt_pairs(r["expected"]), fmt_pairs(r["found"]), verdict(r)]
            for r in results]
    print(table(rows, ["file", "status", "expected", "found (error/warning)", "verdict"]))

    buggy = [r for r in results if r["buggy"]]
    clean = [r for r in results if not r["buggy"]]
    loaded = [r for r in results if r["status"] != "error"]
    print()
    print("totals")
    print(f"  rule share  (buggy nets, every true rule found):        {share(sum(r['rule_ok'] for r in buggy), len(buggy))}")
    print(f"  line share  (buggy nets, rules and expected lines right): {share(sum(r['line_ok'] for r in buggy), len(buggy))}")
    fa = [r for r in clean if r["false_alarm"]]
    print(f"  false alarms (correct nets with a judged error/warning): {share(len(fa), len(clean))}"
          + (f"  [{', '.join(r['file'] + ': ' + '/'.join(r['false_alarm']) for r in fa)}]" if fa else ""))
    ex = [r for r in buggy if r["extra"]]
    n_extra = sum(len(r["extra"]) for r in buggy)
    print(f"  extra rules on buggy nets: {n_extra} on {share(len(ex), len(buggy))} of files"
          + (f"  [{', '.join(r['file'] + ': ' + '/'.join(r['extra']) for r in ex)}]" if ex else ""))
    print(f"  loading share (status != error):                        {share(len(loaded), len(results))}")

    # per-rule recall, counting each (file, rule) pair once
    per_rule = {}
    for r in buggy:
        found_rules = {f for f, _ in r["found"]}
        for rule, line in r["expected"]:
            hit, tot, lhit, ltot = per_rule.get(rule, (0, 0, 0, 0))
            ok = rule in found_rules
            if line is not None:
                ltot += 1
                lhit += any(f == rule and l == line for f, l in r["found"])
            per_rule[rule] = (hit + ok, tot + 1, lhit, ltot)
    print()
    print(table([[rule, f"{h}/{t}", f"{lh}/{lt}" if lt else "n/a"]
                 for rule, (h, t, lh, lt) in sorted(per_rule.items())],
                ["true rule", "found", "line right"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
