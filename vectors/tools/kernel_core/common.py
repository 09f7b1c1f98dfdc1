"""Helpers shared by the kernel-vector builders in this directory.

These helpers only *spell* vector JSON (steps, messages, headers as hex). They never
compute an expectation: every expected value is written out in the test definitions,
reasoned from docs/spec/kernel-semantics.md, not obtained by running a kernel.
"""

import json
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from v2 import to_v2  # noqa: E402

KS = "kernel-semantics.md"
ROOT = Path(__file__).resolve().parents[2]  # vectors/
OUT = ROOT / "kernel"

# Addresses used for user buffers (any page-aligned address the set-up maps).
UB_C = 0x10000000
UB_S = 0x20000000

_UNSET = object()


def X(v):
    """An integer written as a hex string (for readability of handles, results, words)."""
    return "0x%x" % v


def le(*words):
    """Hex of 32-bit little-endian words, one group per word."""
    return " ".join(struct.pack("<I", w & 0xFFFFFFFF).hex() for w in words)


def M(type=0, pid=None, copy=(), move=(), raw=(), rlc=0, c=(), special=None, rlo=None,
      res1=None, ress=None, a=()):
    """A message-JSON object with every key listed (so a pattern checks every section)."""
    m = {
        "type": type,
        "pid": pid,
        "copy_handles": list(copy),
        "move_handles": list(move),
        "x": [],
        "a": list(a),
        "b": [],
        "w": [],
        "raw_words": list(raw),
        "recv_list_count": rlc,
        "c": list(c),
    }
    if special is not None:
        m["special_header"] = special
    if rlo:
        m["recv_list_offset"] = rlo
    res = {}
    if res1:
        res["header1"] = res1
    if ress:
        res["special"] = ress
    if res:
        m["reserved"] = res
    return m


ZERO = M()
TLS_FILL = "aa" * 256


def ub(address, size):
    return {"address": X(address) if isinstance(address, int) else address,
            "size": X(size) if isinstance(size, int) else size}


def _payload(step, msg, hexs):
    if msg is not None:
        step["message"] = msg
    if hexs is not None:
        step["hex"] = hexs


def send(msg=None, hexs=None, thread="C", session="$s.client", expect="pending", buffer=None,
         comment=None):
    s = {"op": "send", "thread": thread, "session": session}
    if comment:
        s["comment"] = comment
    if buffer is not None:
        s["buffer"] = buffer
    _payload(s, msg, hexs)
    s["expect"] = expect if expect == "pending" else {"result": expect}
    return s


def send_async(msg=None, hexs=None, thread="C", session="$s.client", buffer=None, bind="$aev",
               result="Success", comment=None):
    s = {"op": "send_async", "thread": thread, "session": session, "buffer": buffer}
    if comment:
        s["comment"] = comment
    _payload(s, msg, hexs)
    s["bind_event"] = bind
    s["expect"] = {"result": result}
    return s


def rar(thread="S", handles=("$s.server",), reply_target=None, timeout=0, msg=None, hexs=None,
        result=None, out_index=_UNSET, buffer=None, comment=None):
    s = {"op": "reply_and_receive", "thread": thread, "handles": list(handles)}
    if comment:
        s["comment"] = comment
    if reply_target is not None:
        s["reply_target"] = reply_target
    s["timeout"] = timeout
    if buffer is not None:
        s["buffer"] = buffer
    _payload(s, msg, hexs)
    if result is not None:
        e = {"result": result}
        if out_index is not _UNSET:
            e["out_index"] = out_index
        s["expect"] = e
    return s


def recv(msg=ZERO, hexs=None, thread="S", handles=("$s.server",), out_index=0, buffer=None,
         comment="S receives the request"):
    if hexs is not None:
        msg = None
    return rar(thread=thread, handles=handles, msg=msg, hexs=hexs, result="Success",
               out_index=out_index, buffer=buffer, comment=comment)


def poll(thread="S", handles=("$s.server",), msg=None, hexs=None, buffer=None,
         comment="S keeps waiting: nothing to receive, the poll times out"):
    return rar(thread=thread, handles=handles, msg=msg, hexs=hexs, result="TimedOut",
               out_index=None, buffer=buffer, comment=comment)


def broken(thread="S", handles=("$s.server",), msg=ZERO, hexs=None, out_index=0, buffer=None,
           comment="S is told its receive list was overwritten (ReceiveListBroken)"):
    if hexs is not None:
        msg = None
    return rar(thread=thread, handles=handles, msg=msg, hexs=hexs, result="ReceiveListBroken",
               out_index=out_index, buffer=buffer, comment=comment)


def reply(msg=None, hexs=None, thread="S", target="$s.server", buffer=None,
          comment="S replies with the reply-only idiom (no wait handles, timeout 0): its reply half succeeds, the wait times out"):
    return rar(thread=thread, handles=(), reply_target=target, msg=msg, hexs=hexs,
               result="TimedOut", out_index=None, buffer=buffer, comment=comment)


def client(status, thread="C", comment=None):
    s = {"op": "expect_client", "thread": thread,
         "status": status if status in ("pending", "idle") else {"result": status}}
    if comment:
        s["comment"] = comment
    return s


def xmsg(msg, thread=None, process=None, address=None, size=None, comment=None):
    s = {"op": "expect_message"}
    if comment:
        s["comment"] = comment
    if thread is not None:
        s["thread"] = thread
        s["buffer"] = "tls"
    else:
        s["process"] = process
        s["address"] = X(address) if isinstance(address, int) else address
        if size is not None:
            s["size"] = X(size)
    s["message"] = msg
    return s


def words(ws, thread=None, process=None, address=None, size=None, offset=0, comment=None):
    s = {"op": "expect_words"}
    if comment:
        s["comment"] = comment
    if thread is not None:
        s["thread"] = thread
        s["buffer"] = "tls"
    else:
        s["process"] = process
        s["address"] = X(address) if isinstance(address, int) else address
        if size is not None:
            s["size"] = X(size)
    if offset:
        s["offset"] = offset
    s["words"] = [X(w) if isinstance(w, int) else w for w in ws]
    return s


def xmem(process, address, hexs, comment=None):
    s = {"op": "expect_memory", "process": process,
         "address": X(address) if isinstance(address, int) else address, "hex": hexs}
    if comment:
        s["comment"] = comment
    return s


def write(thread=None, process=None, address=None, msg=None, hexs=None, comment=None):
    s = {"op": "write"}
    if comment:
        s["comment"] = comment
    if thread is not None:
        s["thread"] = thread
    else:
        s["process"] = process
        s["address"] = X(address) if isinstance(address, int) else address
    _payload(s, msg, hexs)
    return s


def fill_tls(thread, comment=None):
    return write(thread=thread, hexs=TLS_FILL,
                 comment=comment or "fill %s's TLS message buffer with 0xaa so untouched words can be seen" % thread)


def xhandle(process, handle, valid=True, same=None, comment=None):
    s = {"op": "expect_handle", "process": process, "handle": handle, "valid": valid}
    if same is not None:
        s["same_object_as"] = same
    if comment:
        s["comment"] = comment
    return s


def count(process, bind, comment=None):
    s = {"op": "count_handles", "process": process, "bind": bind}
    if comment:
        s["comment"] = comment
    return s


def xcount(process, cnt, comment=None):
    s = {"op": "expect_handle_count", "process": process, "count": cnt}
    if comment:
        s["comment"] = comment
    return s


def close(process, handle, result=None, comment=None):
    s = {"op": "close", "process": process, "handle": handle}
    if result is not None:
        s["expect"] = {"result": result}
    if comment:
        s["comment"] = comment
    return s


def access(process, address, size, write_, allowed, comment=None):
    s = {"op": "expect_access", "process": process,
         "address": X(address) if isinstance(address, int) else address,
         "size": X(size), "write": write_, "allowed": allowed}
    if comment:
        s["comment"] = comment
    return s


def mapping(process, address, state=None, permission=None, attributes=None, comment=None):
    s = {"op": "expect_mapping", "process": process,
         "address": X(address) if isinstance(address, int) else address}
    if state is not None:
        s["state"] = state
    if permission is not None:
        s["permission"] = permission
    if attributes is not None:
        s["attributes"] = attributes
    if comment:
        s["comment"] = comment
    return s


def xevent(process, handle, signaled, comment=None):
    s = {"op": "expect_event", "process": process, "handle": handle, "signaled": signaled}
    if comment:
        s["comment"] = comment
    return s


def mem(process, address, size, state="Normal", permission="rw", attributes=None, fill=None):
    r = {"process": process, "address": X(address), "size": X(size), "state": state,
         "permission": permission}
    if attributes:
        r["attributes"] = attributes
    if fill is not None:
        r["fill"] = X(fill)
    return r


def SU(procs=("C", "S"), threads=(), memory=(), events=(), sessions=(("s", "S", "C"),),
       capacity=None):
    """Set-up. `events` items are (name, process[, kind]); `capacity` maps process -> table size."""
    capacity = capacity or {}
    p = []
    for name in procs:
        d = {"name": name}
        if name in capacity:
            d["handle_capacity"] = capacity[name]
        p.append(d)
    s = {"processes": p}
    if threads:
        s["threads"] = [{"name": t, "process": pr} for t, pr in threads]
    if memory:
        s["memory"] = list(memory)
    if events:
        s["events"] = [{"name": e[0], "process": e[1], "kind": e[2] if len(e) > 2 else "event"}
                       for e in events]
    if sessions:
        s["sessions"] = [{"name": n, "server": sv, "client": cl} for n, sv, cl in sessions]
    return s


def T(id, comment, steps, setup=None, result="valid", flags=(), requires=("tls-buffer",),
      excludes=None, source=None, scenario=None):
    t = {"id": id, "comment": comment}
    if source:
        t["source"] = source
    if scenario:
        t["scenario"] = scenario
    t["flags"] = list(flags)
    t["result"] = result
    t["requires"] = list(requires)
    if excludes:
        t["excludes"] = list(excludes)
    t["setup"] = setup if setup is not None else SU()
    t["steps"] = steps
    return t


def G(name, description, tests, source=None):
    g = {"name": name, "description": description}
    if source:
        g["source"] = source
    g["tests"] = tests
    return g


def FILE(topic, description, spec, notes, groups):
    return {
        "schema": "hipc-vectors/1",
        "kind": "kernel",
        "topic": topic,
        "description": description,
        "source": {"spec": spec},
        "notes": notes,
        "groups": groups,
    }


def dumps(v, ind=0):
    """JSON with short objects and scalar arrays kept on one line."""
    flat = json.dumps(v, separators=(", ", ": "))
    if not isinstance(v, (dict, list)) or len(flat) + ind <= 110 or (
            isinstance(v, list) and all(not isinstance(e, (dict, list)) for e in v)):
        return flat
    pad = " " * (ind + 2)
    if isinstance(v, dict):
        items = [pad + json.dumps(k) + ": " + dumps(e, ind + 2) for k, e in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * ind + "}"
    items = [pad + dumps(e, ind + 2) for e in v]
    return "[\n" + ",\n".join(items) + "\n" + " " * ind + "]"


def check_flags(f):
    used = {fl for g in f["groups"] for t in g["tests"] for fl in t["flags"]}
    missing = used - set(f["notes"])
    unused = set(f["notes"]) - used
    assert not missing, (f["topic"], missing)
    assert not unused, (f["topic"], "notes for unused flags", unused)


def emit(name, f):
    check_flags(f)
    f = to_v2(f)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(dumps(f) + "\n")
    n = sum(len(g["tests"]) for g in f["groups"])
    print("%s: %d tests" % (path.relative_to(ROOT.parent), n))
    return n
