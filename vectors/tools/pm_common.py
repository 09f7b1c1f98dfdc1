"""Helpers for the pointer (X/C) and map-alias (A/B/W) kernel vectors.

Used by gen_kernel_pointer.py, gen_kernel_map_alias.py and gen_kernel_memory_tables.py.
These helpers only *spell* vector JSON: a message-JSON object with every key, steps,
set-up regions, byte patterns for memory contents. They never compute an expectation:
every expected address, result and byte string is written out in the test definitions, reasoned from
docs/spec/kernel-semantics.md (§3, §4.3-4.8, §5, §8), never obtained by running a
kernel.
"""

import json
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from v2 import to_v2  # noqa: E402

KS = "kernel-semantics.md"
ROOT = Path(__file__).resolve().parents[1]  # vectors/
OUT = ROOT / "kernel"

# Conventional addresses.
CH = 0x10000000  # client heap
SH = 0x20000000  # server heap (receive-list entries, reply X sources, user buffers)
UNMAPPED = 0x30000000  # nothing is ever mapped there

_UNSET = object()


def h(v):
    """An integer written as a hex string."""
    return "0x%x" % v if isinstance(v, int) else v


def D(seed, n):
    """A recognisable byte string: seed<<4, seed<<4 + 1, ... (mod 256)."""
    return bytes(((seed << 4) + i) & 0xFF for i in range(n))


def le(*ws):
    """Hex of 32-bit little-endian words (for buffers the message JSON cannot express)."""
    return " ".join(struct.pack("<I", w & 0xFFFFFFFF).hex() for w in ws)


def rep(byte, n):
    return bytes([byte]) * n


def hx(b):
    return b.hex()


# ---- message JSON -------------------------------------------------------------------

def Xd(index, address, size, reserved=None):
    d = {"index": index, "address": h(address), "size": h(size)}
    if reserved is not None:
        d["reserved"] = reserved
    return d


def Cd(address, size, reserved=None):
    d = {"address": h(address), "size": h(size)}
    if reserved is not None:
        d["reserved"] = reserved
    return d


def Bd(address, size, mode=0):
    return {"address": h(address), "size": h(size), "mode": mode}


def M(type=0, pid=None, copy=(), move=(), x=(), a=(), b=(), w=(), raw=(), rlc=0, c=(),
      special=None, rlo=None):
    """A message-JSON object with every key listed (inputs need all of them; patterns
    list all of them so that every section is checked)."""
    m = {
        "type": type,
        "pid": pid,
        "copy_handles": list(copy),
        "move_handles": list(move),
        "x": list(x),
        "a": list(a),
        "b": list(b),
        "w": list(w),
        "raw_words": [h(r) for r in raw],
        "recv_list_count": rlc,
        "c": c if c == "*" else list(c),
    }
    if special is not None:
        m["special_header"] = special
    if rlo:
        m["recv_list_offset"] = rlo
    return m


def P(**kw):
    """A pattern for a server's view of a request: like M, but `c` defaults to '*'
    (the words at the receive-list position are the server's own leftovers, §1.6 of
    wire-format.md)."""
    kw.setdefault("c", "*")
    return M(**kw)


ZERO = M()


def ub(address, size):
    return {"address": h(address), "size": h(size)}


# ---- steps ----------------------------------------------------------------------------

def _payload(step, msg, hexs):
    if msg is not None:
        step["message"] = msg
    if hexs is not None:
        step["hex"] = hexs


def send(msg=None, hexs=None, thread="C", session="$s.client", expect="pending", buffer=None,
         comment=None):
    s = {"op": "send"}
    if comment:
        s["comment"] = comment
    s.update({"thread": thread, "session": session})
    if buffer is not None:
        s["buffer"] = buffer
    _payload(s, msg, hexs)
    s["expect"] = expect if expect == "pending" else {"result": expect}
    return s


def rar(thread="S", handles=("$s.server",), reply_target=None, msg=None, hexs=None,
        result=None, out_index=_UNSET, buffer=None, comment=None):
    s = {"op": "reply_and_receive"}
    if comment:
        s["comment"] = comment
    s.update({"thread": thread, "handles": list(handles)})
    if reply_target is not None:
        s["reply_target"] = reply_target
    s["timeout"] = 0
    if buffer is not None:
        s["buffer"] = buffer
    _payload(s, msg, hexs)
    if result is not None:
        e = {"result": result}
        if out_index is not _UNSET:
            e["out_index"] = out_index
        s["expect"] = e
    return s


def recv(msg=ZERO, hexs=None, thread="S", handles=("$s.server",), buffer=None, reply_target=None,
         comment="S prepares its receive buffer and receives the request"):
    if hexs is not None:
        msg = None
    return rar(thread=thread, handles=handles, msg=msg, hexs=hexs, result="Success",
               out_index=0, buffer=buffer, reply_target=reply_target, comment=comment)


def poll(thread="S", handles=("$s.server",), msg=None, hexs=None, buffer=None,
         comment="S keeps waiting: the failed request was swallowed (NotFound), the poll times out"):
    return rar(thread=thread, handles=handles, msg=msg, hexs=hexs, result="TimedOut",
               out_index=None, buffer=buffer, comment=comment)


def broken(thread="S", handles=("$s.server",), msg=ZERO, hexs=None, buffer=None,
           comment="S's receive fails with ReceiveListBroken: the write cursor passed its receive-list index (§4.6)"):
    if hexs is not None:
        msg = None
    return rar(thread=thread, handles=handles, msg=msg, hexs=hexs, result="ReceiveListBroken",
               out_index=0, buffer=buffer, comment=comment)


def reply(msg=None, hexs=None, thread="S", target="$s.server", buffer=None,
          comment="S replies (reply-only idiom: no wait handles, timeout 0); its reply half succeeds and the wait times out"):
    if msg is None and hexs is None:
        msg = ZERO
    return rar(thread=thread, handles=(), reply_target=target, msg=msg, hexs=hexs,
               result="TimedOut", out_index=None, buffer=buffer, comment=comment)


def send_async(msg, buffer, thread="C", session="$s.client", bind="$aev", comment=None):
    """SendAsyncRequestWithUserBuffer from `buffer` (a user buffer, `ub(...)`); binds
    the event handle to `bind`."""
    s = {"op": "send_async"}
    if comment:
        s["comment"] = comment
    s.update({"thread": thread, "session": session, "buffer": buffer, "message": msg, "bind_event": bind,
              "expect": {"result": "Success"}})
    return s


def close(process, handle, comment=None):
    s = {"op": "close"}
    if comment:
        s["comment"] = comment
    s.update({"process": process, "handle": handle})
    return s


def xevent(process, handle, signaled, comment=None):
    s = {"op": "expect_event"}
    if comment:
        s["comment"] = comment
    s.update({"process": process, "handle": handle, "signaled": signaled})
    return s


def client(status, thread="C", comment=None):
    s = {"op": "expect_client"}
    if comment:
        s["comment"] = comment
    s["thread"] = thread
    s["status"] = status if status in ("pending", "idle") else {"result": status}
    return s


def xmsg(msg, thread="S", buffer=None, comment=None):
    s = {"op": "expect_message"}
    if comment:
        s["comment"] = comment
    s["thread"] = thread
    s["buffer"] = buffer if buffer is not None else "tls"
    s["message"] = msg
    return s


def words(ws, thread="S", offset=0, buffer=None, comment=None):
    s = {"op": "expect_words"}
    if comment:
        s["comment"] = comment
    s["thread"] = thread
    s["buffer"] = buffer if buffer is not None else "tls"
    if offset:
        s["offset"] = offset
    s["words"] = [h(w) for w in ws]
    return s


def xmem(process, address, data, comment=None):
    s = {"op": "expect_memory"}
    if comment:
        s["comment"] = comment
    s.update({"process": process, "address": h(address),
              "hex": data if isinstance(data, str) else hx(data)})
    return s


def write(process, address, data, comment=None):
    s = {"op": "write"}
    if comment:
        s["comment"] = comment
    s.update({"process": process, "address": h(address),
              "hex": data if isinstance(data, str) else hx(data)})
    return s


NOATTR = {"locked": False, "ipc_locked": False, "device_shared": False, "uncached": False,
          "permission_locked": False}
IPCLOCKED = dict(NOATTR, ipc_locked=True)


def mapping(process, address, state=None, permission=None, attributes=None, page_offset=None,
            data=None, comment=None):
    s = {"op": "expect_mapping"}
    if comment:
        s["comment"] = comment
    s.update({"process": process, "address": h(address)})
    if state is not None:
        s["state"] = state
    if permission is not None:
        s["permission"] = permission
    if attributes is not None:
        s["attributes"] = attributes
    if page_offset is not None:
        s["page_offset"] = h(page_offset)
    if data is not None:
        s["hex"] = data if isinstance(data, str) else hx(data)
    return s


def c_page(address, permission="rw", attributes=None, comment="C's page has its original permission and no IPC lock",
           process="C"):
    """A page of a client's as it is when no IPC holds it: state Normal, the
    permission given, the attributes given (none by default)."""
    return mapping(process, address, state="Normal", permission=permission,
                   attributes=NOATTR if attributes is None else attributes, comment=comment)


def access(process, address, size, write_, allowed, comment=None):
    s = {"op": "expect_access"}
    if comment:
        s["comment"] = comment
    s.update({"process": process, "address": h(address), "size": h(size), "write": write_,
              "allowed": allowed})
    return s


def no_ipc(process="S", comment=None):
    s = {"op": "expect_no_ipc_mappings"}
    if comment:
        s["comment"] = comment
    s["process"] = process
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


def xhandle(process, handle, valid=True, comment=None):
    s = {"op": "expect_handle", "process": process, "handle": handle, "valid": valid}
    if comment:
        s["comment"] = comment
    return s


# ---- set-up ---------------------------------------------------------------------------

def mem(process, address, size, state="Normal", permission="rw", attributes=None, fill=None,
        contents=()):
    r = {"process": process, "address": h(address), "size": h(size), "state": state,
         "permission": permission}
    if attributes:
        r["attributes"] = attributes
    if fill is not None:
        r["fill"] = h(fill)
    if contents:
        r["contents"] = [{"offset": h(o), "hex": d if isinstance(d, str) else hx(d)}
                         for o, d in contents]
    return r


def SU(procs=("C", "S"), threads=(), memory=(), events=(), sessions=(("s", "S", "C"),),
       alias=None, capacity=None):
    """Set-up. `alias` maps process -> alias region size, `capacity` process -> handle
    table size."""
    alias = alias or {}
    capacity = capacity or {}
    p = []
    for name in procs:
        d = {"name": name}
        if name in alias:
            d["alias_region_size"] = h(alias[name])
        if name in capacity:
            d["handle_capacity"] = capacity[name]
        p.append(d)
    s = {"processes": p}
    if threads:
        s["threads"] = [{"name": t, "process": pr} for t, pr in threads]
    if memory:
        s["memory"] = list(memory)
    if events:
        s["events"] = [{"name": e[0], "process": e[1], "kind": "event"} for e in events]
    if sessions:
        s["sessions"] = [{"name": n, "server": sv, "client": cl} for n, sv, cl in sessions]
    return s


def T(id, comment, steps, setup, requires, result="valid", flags=(), source=None,
      scenario=None):
    t = {"id": id, "comment": comment}
    if source:
        t["source"] = source
    if scenario:
        t["scenario"] = scenario
    t["flags"] = list(flags)
    t["result"] = result
    t["requires"] = sorted(set(requires))
    t["setup"] = setup
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
    flat = json.dumps(v, separators=(", ", ": "), ensure_ascii=False)
    if not isinstance(v, (dict, list)):
        return flat
    if len(flat) + ind <= 150 or (isinstance(v, list) and all(not isinstance(e, (dict, list)) for e in v)):
        return flat
    pad = " " * (ind + 2)
    if isinstance(v, dict):
        items = [pad + json.dumps(k) + ": " + dumps(e, ind + 2) for k, e in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * ind + "}"
    items = [pad + dumps(e, ind + 2) for e in v]
    return "[\n" + ",\n".join(items) + "\n" + " " * ind + "]"


def check(f):
    used = {fl for g in f["groups"] for t in g["tests"] for fl in t["flags"]}
    missing = used - set(f["notes"])
    unused = set(f["notes"]) - used
    assert not missing, (f["topic"], missing)
    assert not unused, (f["topic"], "notes for unused flags", unused)
    ids = [t["id"] for g in f["groups"] for t in g["tests"]]
    assert len(ids) == len(set(ids)), (f["topic"], "duplicate ids")
    for i in ids:
        assert i.startswith(f["topic"] + "-"), i


def emit(name, f):
    check(f)
    f = to_v2(f)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(dumps(f) + "\n", encoding="utf-8")
    n = sum(len(g["tests"]) for g in f["groups"])
    print("%s: %d tests" % (path.relative_to(ROOT.parent), n))
    return n
