#!/usr/bin/env python3
"""Generate rules/catalogue.toml from the shared kernel facts.

The human text (meaning, interactions, misconceptions, source, and the *_text fields) is copied
verbatim from ../shared/kernel/sysctls.json. The machine-readable fields (type, unit, numeric
bounds, scope, versions, module, fixed defaults) come from OVERRIDES below, and every number or
version taken from OVERRIDES must appear literally in the corresponding facts text, so the two
cannot drift apart silently. Output is deterministic (facts order, fixed field order).

Usage: tools/gen_catalogue.py [--facts PATH] [--out PATH] [--check]
  Writes PATH (default rules/catalogue.toml) and its notes next to it (catalogue-notes.toml).
  --check  exit 1 if the output file differs from what would be generated.
"""

import argparse
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_FACTS = ROOT.parent / "shared" / "kernel" / "sysctls.json"
DEFAULT_OUT = ROOT / "rules" / "catalogue.toml"

J = "jiffies"  # marker: max is INT_MAX/HZ; the stated number is for HZ=250
MEM = None     # default derived from memory/config: no fixed default_value

# key: (type, unit, fields, scope, default_value, min, max, flags)
#   min/max: int (must appear in the facts text unless the facts give the int), or None
#   flags: dict with optional added_in, removed_in, module, older_defaults, unverified, jiffies
OVERRIDES = {
    "net.ipv4.tcp_fin_timeout": ("integer", "seconds", 1, "netns", "60", None, 8589934, {J: True}),
    "net.ipv4.tcp_keepalive_time": ("integer", "seconds", 1, "netns", "7200", None, 8589934, {J: True}),
    "net.ipv4.tcp_keepalive_intvl": ("integer", "seconds", 1, "netns", "75", None, 8589934, {J: True}),
    "net.ipv4.tcp_keepalive_probes": ("integer", "count", 1, "netns", "9", 0, 255, {}),
    "net.ipv4.tcp_tw_reuse": ("enum", "none", 1, "netns", "2", 0, 2, {
        "older_defaults": [("4.18", "0")], "unverified": ["older_defaults"]}),
    "net.ipv4.tcp_tw_reuse_delay": ("integer", "milliseconds", 1, "netns", "1000", 1, 60000, {
        "added_in": "6.14"}),
    "net.ipv4.tcp_tw_recycle": ("boolean", "none", 1, "global", "0", None, None, {
        "removed_in": "4.12"}),
    "net.ipv4.tcp_max_tw_buckets": ("integer", "count", 1, "netns", MEM, None, None, {}),
    "net.ipv4.tcp_timestamps": ("enum", "none", 1, "netns", "1", 0, 255, {"unverified": ["scope"]}),
    "net.ipv4.ip_local_port_range": ("tuple", "port", 2, "netns", "32768 60999", 1, 65535, {
        "older_defaults": [("4.2", "32768 61000")]}),
    "net.ipv4.ip_local_reserved_ports": ("list", "port", 1, "netns", "", 0, 65535, {
        "added_in": "2.6.35", "unverified": ["added_in"]}),
    "net.ipv4.tcp_max_orphans": ("integer", "count", 1, "global", MEM, None, None, {}),
    "net.ipv4.tcp_orphan_retries": ("integer", "count", 1, "netns", "0", 0, 255, {}),
    "net.ipv4.tcp_retries1": ("integer", "count", 1, "netns", "3", 0, 255, {}),
    "net.ipv4.tcp_retries2": ("integer", "count", 1, "netns", "15", 0, 255, {}),
    "net.ipv4.tcp_syn_retries": ("integer", "count", 1, "netns", "6", 1, 127, {}),
    "net.ipv4.tcp_synack_retries": ("integer", "count", 1, "netns", "5", 0, 255, {}),
    "net.ipv4.tcp_syncookies": ("enum", "none", 1, "netns", "1", 0, 255, {"unverified": ["scope"]}),
    "net.ipv4.tcp_max_syn_backlog": ("integer", "count", 1, "netns", MEM, None, None, {}),
    "net.core.somaxconn": ("integer", "count", 1, "netns", "4096", 0, None, {
        "older_defaults": [("5.4", "128")]}),
    "net.core.netdev_max_backlog": ("integer", "packets", 1, "global", "1000", None, None, {}),
    "net.ipv4.tcp_slow_start_after_idle": ("boolean", "none", 1, "netns", "1", 0, 255, {
        "unverified": ["scope"]}),
    "net.ipv4.tcp_fastopen": ("bitmask", "none", 1, "netns", "1", None, None, {
        "added_in": "3.7", "unverified": ["added_in", "scope"]}),
    "net.ipv4.tcp_rfc1337": ("boolean", "none", 1, "netns", "0", 0, 255, {"unverified": ["scope"]}),
    "net.ipv4.tcp_abort_on_overflow": ("boolean", "none", 1, "netns", "0", 0, 255, {
        "unverified": ["scope"]}),
    "net.ipv4.tcp_congestion_control": ("string", "name", 1, "netns", MEM, None, None, {
        "added_in": "2.6.13", "unverified": ["added_in", "scope"]}),
    "net.ipv4.tcp_rmem": ("tuple", "bytes", 3, "netns", MEM, 1, None, {"unverified": ["scope"]}),
    "net.ipv4.tcp_wmem": ("tuple", "bytes", 3, "netns", MEM, 1, None, {"unverified": ["scope"]}),
    "net.core.rmem_max": ("integer", "bytes", 1, "netns-readonly", "4194304", None, None, {
        "older_defaults": [("6.18", "212992")]}),
    "net.core.wmem_max": ("integer", "bytes", 1, "netns-readonly", "4194304", None, None, {
        "older_defaults": [("6.18", "212992")]}),
    "fs.file-max": ("integer", "count", 1, "global", MEM, 0, 9223372036854775807, {}),
    "fs.nr_open": ("integer", "count", 1, "global", "1048576", 64, 2147483584, {
        "unverified": ["added_in"], "added_in": "2.6.25"}),
    "net.netfilter.nf_conntrack_max": ("integer", "count", 1, "netns-readonly", MEM, None, None, {
        "module": "nf_conntrack"}),
    "net.netfilter.nf_conntrack_tcp_timeout_time_wait": ("integer", "seconds", 1, "netns", "120",
                                                         None, None, {"module": "nf_conntrack"}),
    "net.netfilter.nf_conntrack_tcp_timeout_established": ("integer", "seconds", 1, "netns", "432000",
                                                           None, None, {"module": "nf_conntrack"}),
    "net.netfilter.nf_conntrack_tcp_timeout_close_wait": ("integer", "seconds", 1, "netns", "60",
                                                          None, None, {"module": "nf_conntrack"}),
    "net.netfilter.nf_conntrack_tcp_timeout_fin_wait": ("integer", "seconds", 1, "netns", "120",
                                                        None, None, {"module": "nf_conntrack"}),
    "net.ipv4.tcp_syn_linear_timeouts": ("integer", "count", 1, "netns", "4", 0, 127, {
        "added_in": "6.5"}),
}

FIELD_ORDER = [
    "key", "type", "unit", "unit_text", "fields", "default", "default_value", "older_defaults",
    "min", "max", "min_text", "max_text", "jiffies", "scope", "scope_text", "added_in",
    "added_text", "removed_in", "removed_text", "module", "unverified", "meaning",
    "interactions", "misconceptions", "source",
]


def fail(msg):
    sys.exit(f"gen_catalogue.py: error: {msg}")


def text_of(value):
    """Facts values are ints, strings or null; the catalogue keeps them as text."""
    if value is None:
        return ""
    return str(value)


def check_number(key, what, number, facts_value):
    """A bound taken from OVERRIDES must be the facts' integer or be stated in the facts text."""
    if number is None:
        if isinstance(facts_value, int):
            fail(f"{key}: facts give {what} {facts_value} but the override leaves it out")
        return
    if isinstance(facts_value, int):
        if facts_value != number:
            fail(f"{key}: {what} override {number} != facts {facts_value}")
        return
    if not re.search(rf"(?<![0-9]){number}(?![0-9])", text_of(facts_value)):
        fail(f"{key}: {what} {number} is not stated in the facts text {facts_value!r}")


def check_stated(key, what, needle, text):
    if needle not in text:
        fail(f"{key}: {what} {needle!r} is not stated in the facts text {text!r}")


def build_entry(fact):
    key = fact["name"]
    if key not in OVERRIDES:
        fail(f"{key}: no entry in OVERRIDES")
    typ, unit, fields, scope, default_value, lo, hi, flags = OVERRIDES[key]
    check_number(key, "min", lo, fact["min"])
    check_number(key, "max", hi, fact["max"])
    default_text = text_of(fact["default"])
    if default_value is not None and default_value != "" and default_value not in default_text:
        fail(f"{key}: default_value {default_value!r} not in facts default {default_text!r}")
    added_text, removed_text = text_of(fact["added_in"]), text_of(fact["removed_in"])
    if "added_in" in flags:
        check_stated(key, "added_in", flags["added_in"], added_text)
    if "removed_in" in flags:
        check_stated(key, "removed_in", flags["removed_in"], removed_text)
    if "added_in" in flags and "unverified" in added_text and \
            "added_in" not in flags.get("unverified", []):
        fail(f"{key}: the facts mark added_in unverified; list it in 'unverified'")
    history = " ".join([default_text, added_text] + fact["misconceptions"])
    for until, value in flags.get("older_defaults", []):
        # The facts write ranges as "32768-61000"; tuples are space-separated in sysctl text.
        if value not in history and value.replace(" ", "-") not in history:
            fail(f"{key}: older default {value!r} is not stated in the facts")
        check_stated(key, "older default version", until, default_text + " " + added_text)
    entry = {
        "key": key, "type": typ, "unit": unit, "unit_text": text_of(fact["unit"]),
        "fields": fields if fields != 1 else None, "default": default_text,
        "default_value": default_value,
        "older_defaults": flags.get("older_defaults"),
        "min": lo, "max": hi, "min_text": text_of(fact["min"]), "max_text": text_of(fact["max"]),
        "jiffies": True if flags.get(J) else None,
        "scope": scope, "scope_text": text_of(fact["per_netns"]),
        "added_in": flags.get("added_in"), "added_text": added_text,
        "removed_in": flags.get("removed_in"), "removed_text": removed_text or None,
        "module": flags.get("module"), "unverified": flags.get("unverified"),
        "meaning": fact["meaning"], "interactions": fact.get("interactions", []),
        "misconceptions": fact.get("misconceptions", []), "source": fact["source"],
    }
    return entry


def toml_string(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(name, value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if name == "older_defaults":
        items = [f"{{ until = {toml_string(u)}, value = {toml_string(v)} }}" for u, v in value]
        return "[" + ", ".join(items) + "]"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + "".join(f"  {toml_string(v)},\n" for v in value) + "]"
    fail(f"cannot encode {name}={value!r}")


NOTE_FIELDS = {
    "unit_text", "min_text", "max_text", "scope_text", "added_text", "removed_text", "meaning",
    "interactions", "misconceptions", "source",
}


def render(entries, notes):
    """The catalogue (notes=False: what rules, profiles and audits use) or its notes file
    (notes=True: the human text `tcptune explain` shows, four fifths of the bytes, kept apart so
    an audit does not parse it)."""
    what = ("Notes of the sysctl key catalogue (rules/catalogue.toml): the text `tcptune explain` shows."
            if notes else "The sysctl key catalogue used by rules, profile validation and `tcptune explain`.")
    lines = [
        f"# {what}",
        "# GENERATED by tools/gen_catalogue.py from ../shared/kernel/sysctls.json: do not edit;",
        "# change the facts or the OVERRIDES table in the script and regenerate.",
        "# Text fields keep the facts' wording; 'unverified' lists machine-readable fields whose"
        if not notes else "# The text keeps the facts' wording; the machine-readable fields are in catalogue.toml.",
        "# value rests on a fact marked unverified there."
        if not notes else "# Each [[sysctl]] holds the key and its notes only.",
        "",
    ]
    for entry in entries:
        lines.append("[[sysctl]]")
        for name in FIELD_ORDER:
            value = entry[name]
            if value is None or (name != "key" and (name in NOTE_FIELDS) != notes):
                continue
            lines.append(f"{name} = {toml_value(name, value)}")
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--facts", default=str(DEFAULT_FACTS))
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    facts = json.loads(pathlib.Path(args.facts).read_text(encoding="utf-8"))
    names = [f["name"] for f in facts]
    if len(set(names)) != len(names):
        fail("duplicate names in the facts")
    extra = sorted(set(OVERRIDES) - set(names))
    if extra:
        fail(f"OVERRIDES has keys not in the facts: {extra}")
    entries = [build_entry(f) for f in facts]
    out = pathlib.Path(args.out)
    outputs = {out: render(entries, False), out.with_name(out.stem + "-notes.toml"): render(entries, True)}
    for path, text in outputs.items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                sys.exit(f"gen_catalogue.py: {path} is out of date; run tools/gen_catalogue.py")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
