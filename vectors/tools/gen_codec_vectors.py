#!/usr/bin/env python3
"""Generate the codec test vectors in vectors/codec/.

This is an INDEPENDENT encoder/decoder of the HIPC message format, written from
the specification text only: docs/spec/wire-format.md (sections 1.1-1.14,
4, 6, 7) and docs/spec/message-json.md. It was NOT written from, and does
not call, the project's Rust code (codec/ or conformance/). Every bit position
below is taken from the tables of wire-format.md §1; the expected errors follow
vectors/README.md ("Codec tests") and message-json.md ("Rules").

Run from the repository root:

    python3 vectors/tools/gen_codec_vectors.py

It rewrites vectors/codec/*.json, validates every file against
vectors/schema/vectors-v2.schema.json (when jsonschema is installed) and checks
that test ids are unique across vectors/.

Self-checks: words of the worked examples of wire-format.md §6 and the three
pairs of message-json.md are rebuilt from their fields by this encoder and
compared (assert) with the hex printed in the spec; every valid vector is
decoded back by the independent decoder below and compared with its message.
"""

import copy
import glob
import json
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "vectors", "codec")

WF = "wire-format.md"
MJ = "message-json.md"
RM = "vectors/README.md"

# ---------------------------------------------------------------------------
# Field layout (wire-format.md §1)
# ---------------------------------------------------------------------------

ADDR_LIMIT = 1 << 39          # §1.9-1.11: 39-bit addresses (kernel widths)
ABW_SIZE_LIMIT = 1 << 36      # §1.10: 36-bit sizes
XC_SIZE_LIMIT = 1 << 16       # §1.9, §1.11: 16-bit sizes

HEADER1_RESERVED_MASK = 0x3F << 14          # §1.4 bits 14..=19
SPECIAL_RESERVED_MASK = 0xFFFFFFFF & ~0x1FF  # §1.8 bits 9..=31
X_RESERVED_MASK = (0x3 << 4) | (0x7 << 9)    # §1.9 bits 4..=5, 9..=11
ABW_RESERVED_MASK = ((1 << 19) - 1) << 5     # §1.10 word 2 bits 5..=23
C_RESERVED_MASK = 0x1FF << 7                 # §1.11 word 1 bits 7..=15

assert HEADER1_RESERVED_MASK == 0x000FC000
assert SPECIAL_RESERVED_MASK == 0xFFFFFE00
assert X_RESERVED_MASK == 0x00000E30
assert ABW_RESERVED_MASK == 0x00FFFFE0
assert C_RESERVED_MASK == 0x0000FF80

KEY_ORDER = ["type", "pid", "copy_handles", "move_handles", "x", "a", "b", "w",
             "raw_words", "recv_list_count", "c", "special_header",
             "recv_list_offset", "trailing_bytes", "reserved"]


def entries(mode):
    """§1.6: number of receive-list entries for a mode value."""
    if mode in (0, 1):
        return 0
    if mode == 2:
        return 1
    return mode - 2


class EncodeError(Exception):
    def __init__(self, kind, section=None, field=None):
        super().__init__(kind, section, field)
        self.err = {"kind": kind}
        if section is not None:
            self.err["section"] = section
        if field is not None:
            self.err["field"] = field


class DecodeError(EncodeError):
    pass


def msg(type=4, pid=None, copy_handles=(), move_handles=(), x=(), a=(), b=(), w=(),
        raw_words=(), recv_list_count=0, c=(), special_header=False,
        recv_list_offset=0, trailing_bytes=0, header1=0, special=0):
    """A message in canonical message-json.md form (optional keys only when non-default)."""
    m = {
        "type": type,
        "pid": pid,
        "copy_handles": list(copy_handles),
        "move_handles": list(move_handles),
        "x": [dict(d) for d in x],
        "a": [dict(d) for d in a],
        "b": [dict(d) for d in b],
        "w": [dict(d) for d in w],
        "raw_words": list(raw_words),
        "recv_list_count": recv_list_count,
        "c": [dict(d) for d in c],
    }
    implied = pid is not None or copy_handles or move_handles
    if special_header and not implied:
        m["special_header"] = True
    if recv_list_offset:
        m["recv_list_offset"] = recv_list_offset
    if trailing_bytes:
        m["trailing_bytes"] = trailing_bytes
    r = {}
    if header1:
        r["header1"] = header1
    if special:
        r["special"] = special
    if r:
        m["reserved"] = r
    return m


def X(index, address, size, reserved=0):
    d = {"index": index, "address": address, "size": size}
    if reserved:
        d["reserved"] = reserved
    return d


def ABW(address, size, mode=0, reserved=0):
    d = {"address": address, "size": size, "mode": mode}
    if reserved:
        d["reserved"] = reserved
    return d


def C(address, size, reserved=0):
    d = {"address": address, "size": size}
    if reserved:
        d["reserved"] = reserved
    return d


def _check(value, limit, field):
    if value >= limit:
        raise EncodeError("value_too_large", field=field)


def _check_bits(value, mask, field):
    if value & ~mask:
        raise EncodeError("bits_outside_field", field=field)


def encode(m):
    """Pack a message (dict) into bytes per wire-format.md §1. Raises EncodeError."""
    res = m.get("reserved", {})
    h1res = res.get("header1", 0)
    spres = res.get("special", 0)
    _check(m["type"], 1 << 16, "type")
    for sec in ("copy_handles", "move_handles", "x", "a", "b", "w"):
        if len(m[sec]) > 15:
            raise EncodeError("too_many_items", section=sec)
    if len(m["raw_words"]) > 1023:
        raise EncodeError("too_many_items", section="raw_words")
    _check(m["recv_list_count"], 16, "recv_list_count")
    off = m.get("recv_list_offset", 0)
    _check(off, 1 << 11, "recv_list_offset")
    _check_bits(h1res, HEADER1_RESERVED_MASK, "reserved.header1")
    _check_bits(spres, SPECIAL_RESERVED_MASK, "reserved.special")
    if len(m["c"]) != entries(m["recv_list_count"]):
        raise EncodeError("recv_list_entries_mismatch")

    pid = m["pid"]
    S = 1 if (pid is not None or m["copy_handles"] or m["move_handles"]
              or m.get("special_header", False)) else 0
    if spres and not S:
        raise EncodeError("special_reserved_without_special_header")

    words = []
    w0 = (m["type"] | len(m["x"]) << 16 | len(m["a"]) << 20 | len(m["b"]) << 24
          | len(m["w"]) << 28)
    w1 = (len(m["raw_words"]) | m["recv_list_count"] << 10 | h1res | off << 20 | S << 31)
    words += [w0, w1]
    if S:
        P = 1 if pid is not None else 0
        words.append(P | len(m["copy_handles"]) << 1 | len(m["move_handles"]) << 5 | spres)
        if P:
            words += [pid & 0xFFFFFFFF, pid >> 32]
        words += list(m["copy_handles"])
        words += list(m["move_handles"])
    for i, d in enumerate(m["x"]):
        f = "x[%d]." % i
        _check(d["index"], 16, f + "index")
        _check(d["address"], ADDR_LIMIT, f + "address")
        _check(d["size"], XC_SIZE_LIMIT, f + "size")
        r = d.get("reserved", 0)
        _check_bits(r, X_RESERVED_MASK, f + "reserved")
        addr = d["address"]
        lo, mid, hi = addr & 0xFFFFFFFF, (addr >> 32) & 0xF, (addr >> 36) & 0x7
        words.append(d["index"] | hi << 6 | mid << 12 | d["size"] << 16 | r)
        words.append(lo)
    for sec in ("a", "b", "w"):
        for i, d in enumerate(m[sec]):
            f = "%s[%d]." % (sec, i)
            _check(d["address"], ADDR_LIMIT, f + "address")
            _check(d["size"], ABW_SIZE_LIMIT, f + "size")
            _check(d["mode"], 4, f + "mode")
            r = d.get("reserved", 0)
            _check_bits(r, ABW_RESERVED_MASK, f + "reserved")
            addr, size = d["address"], d["size"]
            words.append(size & 0xFFFFFFFF)
            words.append(addr & 0xFFFFFFFF)
            words.append(d["mode"] | ((addr >> 36) & 7) << 2 | r
                         | (size >> 32) << 24 | ((addr >> 32) & 0xF) << 28)
    words += list(m["raw_words"])
    raw_end = len(words)
    if off:
        if off < raw_end:
            raise EncodeError("recv_list_offset_inside_message")
        if m["c"]:
            # message-json.md: encoding writes zeros in the gap; with no entries the
            # message ends at the raw data and there is no gap to write.
            words += [0] * (off - raw_end)
    for i, d in enumerate(m["c"]):
        f = "c[%d]." % i
        _check(d["address"], ADDR_LIMIT, f + "address")
        _check(d["size"], XC_SIZE_LIMIT, f + "size")
        r = d.get("reserved", 0)
        _check_bits(r, C_RESERVED_MASK, f + "reserved")
        words.append(d["address"] & 0xFFFFFFFF)
        words.append((d["address"] >> 32) | r | d["size"] << 16)
    for wd in words:
        assert 0 <= wd <= 0xFFFFFFFF, (m, words)
    return struct.pack("<%dI" % len(words), *words)


def layout(w0, w1, sp):
    """§1.2: list of (section, start_word, end_word) in wire order."""
    S = w1 >> 31
    P = sp & 1 if S else 0
    Nc = (sp >> 1) & 0xF if S else 0
    Nm = (sp >> 5) & 0xF if S else 0
    Nx, Na, Nb, Nw = (w0 >> 16) & 0xF, (w0 >> 20) & 0xF, (w0 >> 24) & 0xF, (w0 >> 28) & 0xF
    Nraw = w1 & 0x3FF
    mode = (w1 >> 10) & 0xF
    off = (w1 >> 20) & 0x7FF
    secs = []
    pos = 0
    for name, n in (("header", 2), ("special_header", S), ("pid", 2 * P),
                    ("copy_handles", Nc), ("move_handles", Nm), ("x", 2 * Nx),
                    ("a", 3 * Na), ("b", 3 * Nb), ("w", 3 * Nw), ("raw_words", Nraw)):
        secs.append((name, pos, pos + n))
        pos += n
    rl = off if off else pos
    secs.append(("c", rl, rl + 2 * entries(mode)))
    return secs


def decode(data):
    """Unpack bytes into a message (dict) per §1. Raises DecodeError."""
    n = len(data)

    def word(i):
        return struct.unpack_from("<I", data, 4 * i)[0]

    if n < 8:
        raise DecodeError("truncated", section="header")
    w0, w1 = word(0), word(1)
    S = w1 >> 31
    if S and n < 12:
        raise DecodeError("truncated", section="special_header")
    sp = word(2) if S else 0
    secs = layout(w0, w1, sp)
    for name, start, end in secs[:-1]:
        if 4 * end > n:
            raise DecodeError("truncated", section=name)
    raw_end = secs[-2][2]
    off = (w1 >> 20) & 0x7FF
    if off and off < raw_end:
        raise DecodeError("recv_list_offset_inside_message")
    cstart, cend = secs[-1][1], secs[-1][2]
    if cend > cstart and 4 * cend > n:
        raise DecodeError("truncated", section="c")
    end = cend if entries((w1 >> 10) & 0xF) else raw_end
    S_ = dict((s[0], s) for s in secs)
    pid = None
    if S and sp & 1:
        pid = word(3) | word(4) << 32
    x = []
    st = S_["x"][1]
    for i in range(((w0 >> 16) & 0xF)):
        a, b = word(st + 2 * i), word(st + 2 * i + 1)
        addr = b | ((a >> 12) & 0xF) << 32 | ((a >> 6) & 7) << 36
        x.append(X(a & 0xF, addr, a >> 16, a & X_RESERVED_MASK))
    abw = {}
    for sec in "abw":
        lst = []
        s0, s1 = S_[sec][1], S_[sec][2]
        for i in range((s1 - s0) // 3):
            q0, q1, q2 = word(s0 + 3 * i), word(s0 + 3 * i + 1), word(s0 + 3 * i + 2)
            addr = q1 | (q2 >> 28) << 32 | ((q2 >> 2) & 7) << 36
            size = q0 | ((q2 >> 24) & 0xF) << 32
            lst.append(ABW(addr, size, q2 & 3, q2 & ABW_RESERVED_MASK))
        abw[sec] = lst
    cl = []
    for i in range((cend - cstart) // 2):
        a, b = word(cstart + 2 * i), word(cstart + 2 * i + 1)
        cl.append(C(a | (b & 0x7F) << 32, b >> 16, b & C_RESERVED_MASK))
    rng = lambda s: [word(i) for i in range(S_[s][1], S_[s][2])]
    return msg(type=w0 & 0xFFFF, pid=pid, copy_handles=rng("copy_handles"),
               move_handles=rng("move_handles"), x=x, a=abw["a"], b=abw["b"], w=abw["w"],
               raw_words=rng("raw_words"), recv_list_count=(w1 >> 10) & 0xF, c=cl,
               special_header=bool(S), recv_list_offset=off, trailing_bytes=n - 4 * end,
               header1=w1 & HEADER1_RESERVED_MASK, special=sp & SPECIAL_RESERVED_MASK)


def H(data):
    return data.hex()


def words_hex(*ws):
    return struct.pack("<%dI" % len(ws), *ws).hex()


# ---------------------------------------------------------------------------
# Hand checks against the worked examples (wire-format.md §6, message-json.md)
# ---------------------------------------------------------------------------

SFCI, SFCO = 0x49434653, 0x4F434653

WORKED = []  # (id, comment, message, spec hex, source)


def worked(tid, comment, m, spec_hex, source):
    got = H(encode(m))
    assert got == spec_hex, (tid, got, spec_hex)
    WORKED.append((tid, comment, m, spec_hex, source))


def hand_checks():
    # Ex 4: X word 0 = 0x01002040, C word 1 = 0x02000043.
    b = encode(msg(x=[X(0, 0x1234567890, 0x100)]))
    assert struct.unpack_from("<I", b, 8)[0] == 0x01002040
    assert struct.unpack_from("<I", b, 12)[0] == 0x34567890
    b = encode(msg(recv_list_count=2, c=[C(0x4321000000, 0x200)]))
    assert struct.unpack_from("<I", b, 12)[0] == 0x02000043
    # Ex 5: A word 2 = 0x1100001C, B word 2 = 0x50000001, W word 2 = 0x0F000013.
    b = encode(msg(a=[ABW(0x7123456000, 0x100001000, 0)], b=[ABW(0x0580000000, 0x2000, 1)],
                   w=[ABW(0x4000000000, 0xFFFFFF000, 3)]))
    ws = struct.unpack("<11I", b)
    assert ws[0] == 0x11100004 and ws[4] == 0x1100001C and ws[7] == 0x50000001
    assert ws[10] == 0x0F000013 and ws[8] == 0xFFFFF000
    # Ex 3: special header word 0x23, w1 0x80000008, PID at byte 12.
    b = encode(msg(pid=0x51, copy_handles=[0x1234], move_handles=[0x5678], raw_words=[0] * 8))
    assert struct.unpack_from("<3I", b, 0) == (4, 0x80000008, 0x23)
    assert b[12:20] == bytes([0x51, 0, 0, 0, 0, 0, 0, 0])
    # Ex 8: w1 = 0x00000C0A, C word 1 = 0x00800001.
    b = encode(msg(raw_words=[0] * 10, recv_list_count=3, c=[C(0x123400000, 0x80)]))
    assert struct.unpack_from("<I", b, 4)[0] == 0x00000C0A
    assert struct.unpack_from("<I", b, 52)[0] == 0x00800001

    src6 = WF + " §6 "
    worked("worked-ex1-empty-request", "Ex 1: empty request, tag 4, every count 0.",
           msg(type=4), "0400000000000000", src6 + "Ex 1")
    worked("worked-ex1-hipc-close", "Ex 1: the bare HIPC Close (tag 2) libnx sends.",
           msg(type=2), "0200000000000000", src6 + "Ex 1")
    worked("worked-ex2-cmif-request", "Ex 2: CMIF request, command 1, 8-byte payload, 10 raw words.",
           msg(type=4, raw_words=[0, 0, SFCI, 0, 1, 0, 0xDEADBEEF, 1, 0, 0]),
           "040000000a000000000000000000000053464349000000000100000000000000efbeadde010000000000000000000000",
           src6 + "Ex 2")
    worked("worked-ex3-pid-copy-move", "Ex 3: PID 0x51 at unaligned byte 12, one copy and one move handle.",
           msg(type=4, pid=0x51, copy_handles=[0x1234], move_handles=[0x5678],
               raw_words=[0, SFCI, 0, 3, 0, 0, 0, 0]),
           "040000000800008023000000510000000000000034120000785600000000000053464349000000000300000000000000000000000000000000000000",
           src6 + "Ex 3")
    worked("worked-ex4-x-and-c-mode2", "Ex 4: one X (address bits 32..=38) and one C entry in mode 2.",
           msg(type=4, x=[X(0, 0x1234567890, 0x100)], raw_words=[SFCI, 0, 5, 0, 0, 0, 0, 0],
               recv_list_count=2, c=[C(0x4321000000, 0x200)]),
           "0400010008080000402000019078563453464349000000000500000000000000000000000000000000000000000000000000002143000002",
           src6 + "Ex 4")
    worked("worked-ex5-a-b-w", "Ex 5: A, B and W with high address bits, size_high and attributes 0, 1, 3.",
           msg(type=4, a=[ABW(0x7123456000, 0x100001000, 0)], b=[ABW(0x0580000000, 0x2000, 1)],
               w=[ABW(0x4000000000, 0xFFFFFF000, 3)], raw_words=[0, SFCI, 0, 7, 0, 0, 0, 0]),
           "040010110800000000100000006045231c00001100200000000000800100005000f0ffff000000001300000f0000000053464349000000000700000000000000000000000000000000000000",
           src6 + "Ex 5")
    worked("worked-ex6-tipc-request", "Ex 6: TIPC GetServiceHandle request, tag 17, name \"fsp-srv\".",
           msg(type=17, raw_words=[0x2D707366, 0x00767273]),
           "11000000020000006673702d73727600", src6 + "Ex 6")
    worked("worked-ex6-tipc-reply", "Ex 6: TIPC reply, tag 17, one move handle, result word 0.",
           msg(type=17, move_handles=[0x0001000F], raw_words=[0]),
           "1100000001000080200000000f00010000000000", src6 + "Ex 6")
    worked("worked-ex7-domain-request", "Ex 7: CMIF domain request with one in-object, 14 raw words.",
           msg(type=4, raw_words=[0, 0, 0x00140101, 1, 0, 0, SFCI, 0, 2, 0, 0x2A, 5, 0, 0]),
           "040000000e000000000000000000000001011400010000000000000000000000534643490000000002000000000000002a000000050000000000000000000000",
           src6 + "Ex 7")
    # Ex 7's domain Close is described in words (no hex): tag 4, raw_count 8, w4 = 2, w5 = 1.
    b = encode(msg(type=4, raw_words=[0, 0, 2, 1, 0, 0, 0, 0]))
    assert struct.unpack("<10I", b) == (4, 8, 0, 0, 2, 1, 0, 0, 0, 0)
    WORKED.append(("worked-ex7-domain-close", "Ex 7: domain Close of object 1 (tag 4, raw_count 8, w4 = 2, w5 = 1, every other word 0).",
                   msg(type=4, raw_words=[0, 0, 2, 1, 0, 0, 0, 0]), H(b), src6 + "Ex 7"))
    worked("worked-ex8-out-pointer-mode3", "Ex 8: request with a u16 size table and one C entry in mode 3.",
           msg(type=4, raw_words=[0, 0, SFCI, 0, 10, 0, 7, 0, 0, 0x80], recv_list_count=3,
               c=[C(0x123400000, 0x80)]),
           "040000000a0c0000000000000000000053464349000000000a00000000000000070000000000000000000000800000000000402301008000",
           src6 + "Ex 8")
    worked("worked-ex9-control-request", "Ex 9: control request ConvertCurrentObjectToDomain, tag 5.",
           msg(type=5, raw_words=[0, 0, SFCI, 0, 0, 0, 0, 0]),
           "05000000080000000000000000000000534643490000000000000000000000000000000000000000",
           src6 + "Ex 9")
    worked("worked-ex9-reply-move-handle", "Ex 9: reply (tag 0) carrying one move handle and SFCO.",
           msg(type=0, move_handles=[0x00010002], raw_words=[SFCO, 0, 0, 0, 0, 0, 0, 0]),
           "000000000800008020000000020001005346434f00000000000000000000000000000000000000000000000000000000",
           src6 + "Ex 9")
    worked("worked-ex10-domain-reply", "Ex 10: domain reply with one out-object, 13 raw words.",
           msg(type=0, raw_words=[0, 0, 1, 0, 0, 0, SFCO, 0, 0, 0, 2, 0, 0]),
           "000000000d0000000000000000000000010000000000000000000000000000005346434f000000000000000000000000020000000000000000000000",
           src6 + "Ex 10")
    # message-json.md's three pairs: the JSON is taken verbatim from the spec.
    pairs = [
        ("json-pair-1-cmif-request", "message-json.md pair 1: a CMIF-shaped request, nothing but raw data.",
         '{"type": 4, "pid": null, "copy_handles": [], "move_handles": [], "x": [], "a": [], "b": [], "w": [], "raw_words": [1229145683, 0, 17, 0], "recv_list_count": 0, "c": []}',
         "040000000400000053464349000000001100000000000000"),
        ("json-pair-2-every-field", "message-json.md pair 2: PID, pseudo-handle copy, move handle, X with high address bits, A with 33-bit size and mode 1, count-3 receive list.",
         '{"type": 6, "pid": 81985529216486895, "copy_handles": [4294934529], "move_handles": [65538], "x": [{"index": 1, "address": 545766266480, "size": 64}], "a": [{"address": 274877911040, "size": 4294975488, "mode": 1}], "b": [], "w": [], "raw_words": [1, 2], "recv_list_count": 3, "c": [{"address": 78187493520, "size": 512}]}',
         "06001100020c008023000000efcdab89674523010180ffff02000100c1f140007056341200200000001000001100000101000000020000009078563412000002"),
        ("json-pair-3-reserved-and-offset", "message-json.md pair 3: empty special header, reserved bits in header word 1 and an X, receive list at word 8 after two zero gap words.",
         '{"type": 16, "pid": null, "copy_handles": [], "move_handles": [], "x": [{"index": 2, "address": 4096, "size": 8, "reserved": 48}], "a": [], "b": [], "w": [], "raw_words": [7], "recv_list_count": 2, "c": [{"address": 8192, "size": 256}], "special_header": true, "recv_list_offset": 8, "reserved": {"header1": 16384}}',
         "10000100014880800000000032000800001000000700000000000000000000000020000000000001"),
    ]
    for tid, comment, js, hx in pairs:
        m = json.loads(js)
        assert H(encode(m)) == hx, tid
        assert canon(decode(bytes.fromhex(hx))) == canon(m), tid
        WORKED.append((tid, comment, m, hx, MJ + " three worked pairs"))


def canon(m):
    """Normalise a message for comparison: drop optional keys at their default."""
    m = copy.deepcopy(m)
    if m.get("special_header") is False or (
            m.get("special_header") and (m["pid"] is not None or m["copy_handles"] or m["move_handles"])):
        m.pop("special_header", None)
    for k in ("recv_list_offset", "trailing_bytes"):
        if m.get(k) == 0:
            m.pop(k)
    r = {k: v for k, v in m.get("reserved", {}).items() if v}
    m.pop("reserved", None)
    if r:
        m["reserved"] = r
    for sec in "xabwc":
        for d in m[sec]:
            if d.get("reserved") == 0:
                d.pop("reserved")
    return m


# ---------------------------------------------------------------------------
# Vector file builder
# ---------------------------------------------------------------------------

ALL_IDS = set()
SUMMARY = []


class VFile:
    def __init__(self, topic, description, spec, notes):
        self.topic = topic
        self.doc = {"schema": "hipc-vectors/2", "kind": "codec", "topic": topic,
                    "description": description, "source": {"spec": spec},
                    "notes": notes, "groups": []}
        self.group_ = None

    def group(self, name, description, source=None):
        g = {"name": name, "description": description, "tests": []}
        if source:
            g["source"] = source
        self.doc["groups"].append(g)
        self.group_ = g

    def _add(self, t):
        assert t["id"] not in ALL_IDS, t["id"]
        for f in t["flags"]:
            assert f in self.doc["notes"], (t["id"], f)
        ALL_IDS.add(t["id"])
        self.group_["tests"].append(t)

    def valid(self, tid, comment, m, source, flags=(), data=None, trailing=b"", encoded=None):
        """A valid test. data defaults to encode(m); trailing bytes are appended."""
        enc = encode(m)
        if data is None:
            data = enc
        data = data + trailing
        want = copy.deepcopy(m)
        if trailing:
            want["trailing_bytes"] = len(trailing)
            # keep canonical key order
            want = {k: want[k] for k in KEY_ORDER if k in want}
        got = decode(data)
        assert canon(got) == canon(want), (tid, got, want)
        t = {"id": tid, "comment": comment, "source": source, "flags": list(flags),
             "result": "valid", "bytes": H(data), "message": want}
        if encoded is not None:
            assert H(enc) == encoded, tid
            t["encoded"] = encoded
        else:
            # README: encoding gives bytes without its trailing bytes
            assert enc == data[:len(data) - len(trailing)], tid
        self._add(t)

    def dec_err(self, tid, comment, data, error, source, flags=()):
        try:
            decode(data)
        except DecodeError as e:
            assert e.err == error, (tid, e.err, error)
        else:
            raise AssertionError("decoder accepted " + tid)
        self._add({"id": tid, "comment": comment, "source": source, "flags": list(flags),
                   "result": "invalid", "bytes": H(data), "error": error})

    def enc_err(self, tid, comment, m, error, source, flags=(), check=True):
        if check:
            try:
                encode(m)
            except EncodeError as e:
                assert e.err == error, (tid, e.err, error)
            else:
                raise AssertionError("encoder accepted " + tid)
        self._add({"id": tid, "comment": comment, "source": source, "flags": list(flags),
                   "result": "invalid", "message": m, "error": error})

    def write(self):
        path = os.path.join(OUT, self.topic + ".json")
        with open(path, "w") as f:
            f.write(dump(self.doc))
        nv = sum(1 for g in self.doc["groups"] for t in g["tests"] if t["result"] == "valid")
        ni = sum(1 for g in self.doc["groups"] for t in g["tests"] if t["result"] == "invalid")
        SUMMARY.append((self.topic, nv, ni))


def dump(doc):
    """JSON text: the file structure indented, each test's values (message, error) on one line."""
    one = lambda v: json.dumps(v, ensure_ascii=False)
    out = ["{"]
    top = list(doc.items())
    for i, (k, v) in enumerate(top):
        comma = "," if i + 1 < len(top) else ""
        if k != "groups":
            if isinstance(v, dict) and v:
                out.append("  %s: {" % one(k))
                items = list(v.items())
                for j, (kk, vv) in enumerate(items):
                    out.append("    %s: %s%s" % (one(kk), one(vv), "," if j + 1 < len(items) else ""))
                out.append("  }" + comma)
            else:
                out.append("  %s: %s%s" % (one(k), one(v), comma))
            continue
        out.append('  "groups": [')
        for gi, g in enumerate(v):
            out.append("    {")
            gk = [kk for kk in g if kk != "tests"]
            for kk in gk:
                out.append("      %s: %s," % (one(kk), one(g[kk])))
            out.append('      "tests": [')
            for ti, t in enumerate(g["tests"]):
                out.append("        {")
                items = list(t.items())
                for j, (kk, vv) in enumerate(items):
                    out.append("          %s: %s%s" % (one(kk), one(vv), "," if j + 1 < len(items) else ""))
                out.append("        }" + ("," if ti + 1 < len(g["tests"]) else ""))
            out.append("      ]")
            out.append("    }" + ("," if gi + 1 < len(v) else ""))
        out.append("  ]" + comma)
    out.append("}")
    text = "\n".join(out) + "\n"
    assert json.loads(text) == doc
    return text


def err(kind, section=None, field=None):
    e = {"kind": kind}
    if section:
        e["section"] = section
    if field:
        e["field"] = field
    return e


COMMON_NOTES = {
    "BoundaryValue": "A value at the edge of its field (0, the largest value that fits, or a single high bit).",
    "LargeInteger": "The message JSON holds an integer above 2^53: a reader must parse it as u64, never through a float (message-json.md, Rules).",
    "TrailingBytes": "The byte string is longer than the message; decoding reports trailing_bytes and encoding ignores it (message-json.md, Rules).",
    "KernelRejects": "Legal at the wire level (the codec decodes and re-encodes it losslessly) but the kernel refuses it in transit (wire-format.md §1.14).",
}


def notes(**extra):
    n = dict(COMMON_NOTES)
    n.update(extra)
    return n


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

def gen_header():
    f = VFile("header", "Header words 0 and 1: the tag, every section count, raw-data sizes.",
              [WF + " §1.1", WF + " §1.2", WF + " §1.3", WF + " §1.4", WF + " §1.5", MJ],
              notes(TipcTag="The tag is 15 or above, which TIPC uses (wire-format.md §1.5); HIPC does not interpret it."))
    f.group("tag", "Header word 0 bits 0..=15 are a u16 the codec keeps as is.", WF + " §1.3")
    for t in [0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 0x100, 0x7FFF, 0x8000, 0xFFFF]:
        fl = ["TipcTag"] if t >= 15 else []
        if t in (0, 0xFFFF):
            fl.append("BoundaryValue")
        f.valid("header-tag-%04x" % t, "Tag %d (0x%x) with every count zero decodes to type %d." % (t, t, t),
                msg(type=t), WF + " §1.3, §1.5", fl)
    f.valid("header-tag-ffff-with-raw", "Tag 0xFFFF does not leak into the X count (bits 16..=19).",
            msg(type=0xFFFF, raw_words=[0xFFFFFFFF]), WF + " §1.3", ["BoundaryValue"])

    f.group("raw-count", "Header word 1 bits 0..=9: raw data size in words.", WF + " §1.4, §1.12")
    for n in [1, 2, 3, 4, 16, 62, 63, 64, 255, 512, 1023]:
        words = [(0x01010101 * (i + 1)) & 0xFFFFFFFF for i in range(n)]
        f.valid("header-raw-count-%d" % n, "%d raw word(s) directly after the header." % n,
                msg(type=4, raw_words=words), WF + " §1.4, §1.12",
                ["BoundaryValue"] if n in (1, 1023) else [])
    f.valid("header-raw-all-ones", "Raw words holding 0xFFFFFFFF and 0 are copied verbatim.",
            msg(raw_words=[0xFFFFFFFF, 0, 0x80000000, 1]), WF + " §1.12", ["BoundaryValue"])

    f.group("counts", "Header word 0 bits 16..=31: X, A, B and W counts; each descriptor is placed by §1.2.", WF + " §1.3")
    for sec in "xabw":
        for n in [1, 2, 7, 15]:
            if sec == "x":
                ds = [X(i, 0x1000 * (i + 1), 0x10 * (i + 1)) for i in range(n)]
            else:
                ds = [ABW(0x10000 * (i + 1), 0x100 * (i + 1), [0, 1, 3][i % 3]) for i in range(n)]
            f.valid("header-count-%s-%d" % (sec, n), "%d %s descriptor(s): the count is header word 0 bits %s." % (
                n, sec.upper(), {"x": "16..=19", "a": "20..=23", "b": "24..=27", "w": "28..=31"}[sec]),
                msg(**{sec: ds, "raw_words": [0xAABBCCDD]}), WF + " §1.2, §1.3",
                ["BoundaryValue"] if n == 15 else [])
    f.valid("header-count-all-15", "15 X, 15 A, 15 B and 15 W descriptors: every count field at its maximum.",
            msg(x=[X(i, i, i) for i in range(15)], a=[ABW(i, i) for i in range(15)],
                b=[ABW(i << 12, 1) for i in range(15)], w=[ABW(i << 20, 2, 3) for i in range(15)],
                raw_words=[1, 2, 3]),
            WF + " §1.2, §1.3", ["BoundaryValue"])
    f.valid("header-every-section", "One item in every section at once (special header, PID, copy, move, X, A, B, W, raw, receive list): offsets follow §1.2.",
            msg(type=4, pid=0x1122334455667788, copy_handles=[0x11], move_handles=[0x22],
                x=[X(1, 0x2000, 0x30)], a=[ABW(0x3000, 0x40, 0)], b=[ABW(0x4000, 0x50, 1)],
                w=[ABW(0x5000, 0x60, 3)], raw_words=[0xCAFE, 0xBEEF], recv_list_count=3,
                c=[C(0x6000, 0x70)]),
            WF + " §1.1, §1.2", [])
    f.valid("header-every-section-two-each", "Two items in every section: the order within each section is kept.",
            msg(type=6, pid=2, copy_handles=[1, 2], move_handles=[3, 4],
                x=[X(0, 0x100, 1), X(1, 0x200, 2)], a=[ABW(0x1000, 1), ABW(0x2000, 2, 1)],
                b=[ABW(0x3000, 3, 3), ABW(0x4000, 4)], w=[ABW(0x5000, 5, 1), ABW(0x6000, 6, 3)],
                raw_words=[9, 8], recv_list_count=4, c=[C(0x7000, 7), C(0x8000, 8)]),
            WF + " §1.1, §1.2", [])
    f.write()


def gen_special_header():
    f = VFile("special-header", "The special header word (bit 31 of header word 1), the PID slot and its alignment.",
              [WF + " §1.2", WF + " §1.4", WF + " §1.8", MJ],
              notes(EmptySpecialHeader="The has-special-header bit is set with every count zero: the special header is one zero word, shown as special_header: true (message-json.md).",
                    UnalignedPid="The PID sits at byte offset 12, which is not 8-byte aligned (wire-format.md §1.2).",
                    AmsPassthrough="The PID's top 16 bits are 0xFFFE, which Atmosphère's kernel passes through (wire-format.md §1.8); to the codec it is an ordinary u64."))
    f.group("empty", "Has-special-header with PID, copy and move all zero.", WF + " §1.8")
    f.valid("special-header-empty", "Special header present with all counts zero: one zero word, special_header true.",
            msg(type=4, special_header=True), WF + " §1.8", ["EmptySpecialHeader"])
    f.valid("special-header-empty-with-raw", "Empty special header shifts the raw data to word 3.",
            msg(type=4, special_header=True, raw_words=[0x12345678, 0x9ABCDEF0]), WF + " §1.2, §1.8",
            ["EmptySpecialHeader"])
    f.valid("special-header-empty-with-x", "Empty special header shifts the X descriptor to word 3.",
            msg(type=4, special_header=True, x=[X(3, 0x5000, 0x20)], raw_words=[1]), WF + " §1.2, §1.8",
            ["EmptySpecialHeader"])
    f.valid("special-header-empty-with-c", "Empty special header, raw data and a mode-2 receive list.",
            msg(type=0, special_header=True, raw_words=[5], recv_list_count=2, c=[C(0x9000, 0x100)]),
            WF + " §1.2, §1.8", ["EmptySpecialHeader"])
    f.valid("special-header-empty-tls", "Empty special header in a 0x100-byte TLS buffer: the rest is trailing.",
            msg(type=4, special_header=True), WF + " §1.8, §0.3", ["EmptySpecialHeader", "TrailingBytes"],
            trailing=bytes(0x100 - 12))

    f.group("pid", "PID bit (special header bit 0): a u64 at word 3, byte offset 12.", WF + " §1.2, §1.8")
    pids = [(0, "zero"), (1, "one"), (0x51, "ex3"), (0xFFFFFFFF, "low-word-max"), (1 << 32, "high-word-one"),
            (1 << 53, "2p53"), ((1 << 53) + 1, "2p53-plus-1"), (0x0123456789ABCDEF, "pattern"),
            (0x8000000000000001, "top-bit"), (0xFFFE000000001234, "ams-passthrough"),
            (0xFFFFFFFFFFFFFFFE, "max-minus-1"), (0xFFFFFFFFFFFFFFFF, "max")]
    for v, name in pids:
        fl = ["UnalignedPid"]
        if v > (1 << 53):
            fl.append("LargeInteger")
        if name in ("zero", "max"):
            fl.append("BoundaryValue")
        if name == "ams-passthrough":
            fl.append("AmsPassthrough")
        f.valid("special-header-pid-" + name, "PID 0x%x at byte offset 12 decodes as one u64 (low word first)." % v,
                msg(type=4, pid=v), WF + " §1.2, §1.8", fl)
    f.valid("special-header-pid-with-raw", "PID then raw data: raw starts at word 5.",
            msg(type=4, pid=(1 << 60) + 7, raw_words=[0xA, 0xB, 0xC]), WF + " §1.2",
            ["UnalignedPid", "LargeInteger"])
    f.valid("special-header-pid-tls", "PID message inside a full 0x100-byte TLS buffer with non-zero trailing bytes.",
            msg(type=4, pid=0xFEDCBA9876543210, raw_words=[1]), WF + " §1.8, §0.3",
            ["UnalignedPid", "LargeInteger", "TrailingBytes"], trailing=bytes([0xAA]) * (0x100 - 24))
    f.valid("special-header-pid-and-handles", "PID, two copy and two move handles: handles follow the PID.",
            msg(type=4, pid=0x7777777788888888, copy_handles=[0xA1, 0xA2], move_handles=[0xB1, 0xB2]),
            WF + " §1.2, §1.8", ["UnalignedPid"])
    f.write()


def gen_handles():
    f = VFile("handles", "Copy and move handles (special header bits 1..=4 and 5..=8).",
              [WF + " §1.2", WF + " §1.8", WF + " §1.13", WF + " §1.14", MJ],
              notes(MoveInRequest="Move handles in a request-shaped message (tag 4): the kernel refuses it with 0xE801 (wire-format.md §1.8, §1.14), the codec does not."))
    f.group("copy", "Copy handle counts 1..=15 and values.", WF + " §1.8")
    for n in list(range(1, 16)):
        f.valid("handles-copy-%d" % n, "%d copy handle(s), count in special header bits 1..=4." % n,
                msg(type=4, copy_handles=[0x100 + i for i in range(n)]), WF + " §1.8",
                ["BoundaryValue"] if n == 15 else [])
    f.group("move", "Move handle counts 1..=15.", WF + " §1.8")
    for n in list(range(1, 16)):
        f.valid("handles-move-%d" % n, "%d move handle(s) in a reply (tag 0), count in special header bits 5..=8." % n,
                msg(type=0, move_handles=[0x200 + i for i in range(n)]), WF + " §1.8",
                ["BoundaryValue"] if n == 15 else [])
    f.group("values", "Handle values are u32 words copied as they are.", WF + " §1.8")
    for v, name in [(0, "zero"), (0xFFFF8000, "pseudo-current-thread"), (0xFFFF8001, "pseudo-current-process"),
                    (0xFFFFFFFF, "max"), (0x00010002, "ordinary")]:
        f.valid("handles-copy-value-" + name, "Copy handle 0x%08x is kept verbatim." % v,
                msg(type=4, copy_handles=[v]), WF + " §1.8", ["BoundaryValue"] if name in ("zero", "max") else [])
    f.valid("handles-move-value-max", "Move handle 0xFFFFFFFF is kept verbatim.",
            msg(type=0, move_handles=[0xFFFFFFFF]), WF + " §1.8", ["BoundaryValue"])
    f.group("combined", "Copy and move together, with and without PID.", WF + " §1.2")
    f.valid("handles-copy-15-move-15", "15 copy and 15 move handles: both count fields at their maximum.",
            msg(type=0, copy_handles=[0x1000 + i for i in range(15)], move_handles=[0x2000 + i for i in range(15)],
                raw_words=[0]), WF + " §1.2, §1.13", ["BoundaryValue"])
    f.valid("handles-pid-copy-15-move-15", "PID, 15 copy and 15 move handles, then an X: X starts at word 35.",
            msg(type=0, pid=5, copy_handles=list(range(1, 16)), move_handles=list(range(16, 31)),
                x=[X(0, 0x100000, 0x10)]), WF + " §1.2", ["BoundaryValue"])
    f.valid("handles-move-in-request", "A request (tag 4) carrying a move handle is a legal encoding; only the kernel refuses it.",
            msg(type=4, move_handles=[0x5678], raw_words=[0] * 8), WF + " §1.8, §1.14 #4",
            ["KernelRejects", "MoveInRequest"])
    f.valid("handles-copy-3-move-2-raw", "Three copy and two move handles followed by raw data.",
            msg(type=0, copy_handles=[7, 8, 9], move_handles=[10, 11], raw_words=[SFCO, 0, 0, 0]), WF + " §1.2", [])
    f.write()


def gen_pointer():
    f = VFile("pointer", "X (pointer / send-static) descriptors: index, 39-bit address split into low/mid/high, 16-bit size.",
              [WF + " §1.9", WF + " §1.13", WF + " §4", MJ],
              notes(AddressSplit="The address uses the mid (word 0 bits 12..=15 = address bits 32..=35) and/or high (bits 6..=8 = address bits 36..=38) fields (wire-format.md §1.9)."))
    f.group("index", "Word 0 bits 0..=3: the 4-bit receive-list index.", WF + " §1.9")
    for i in range(16):
        f.valid("pointer-index-%02d" % i, "X index %d is kept in word 0 bits 0..=3." % i,
                msg(type=4, x=[X(i, 0x10000 + i, 0x100)]), WF + " §1.9",
                ["BoundaryValue"] if i in (0, 15) else [])
    f.group("address", "The 39-bit address: low | mid << 32 | high << 36.", WF + " §1.9")
    addrs = [(0, "zero"), (1, "one"), (0xFFFFFFFF, "low-max"), (1 << 32, "bit32"), (1 << 35, "bit35"),
             (0xF << 32, "mid-max"), (1 << 36, "bit36"), (1 << 38, "bit38"), (0x7 << 36, "high-max"),
             (0x1234567890, "ex4"), ((1 << 39) - 1, "max"), (0x5A5A5A5A5A & ((1 << 39) - 1), "pattern")]
    for v, name in addrs:
        fl = []
        if v >= (1 << 32):
            fl.append("AddressSplit")
        if name in ("zero", "max"):
            fl.append("BoundaryValue")
        f.valid("pointer-address-" + name, "X address 0x%x is split into low/mid/high and reassembled." % v,
                msg(type=4, x=[X(0, v, 0x40)]), WF + " §1.9", fl)
    f.group("size", "Word 0 bits 16..=31: the 16-bit size.", WF + " §1.9")
    for v, name in [(0, "zero"), (1, "one"), (0x8000, "bit15"), (0xFFFF, "max")]:
        f.valid("pointer-size-" + name, "X size 0x%x sits in word 0 bits 16..=31." % v,
                msg(type=4, x=[X(2, 0x80000, v)]), WF + " §1.9",
                ["BoundaryValue"] if name in ("zero", "max") else [])
    f.group("combined", "Every field at once and several X descriptors.", WF + " §1.9")
    f.valid("pointer-all-fields-max", "Index 15, address 2^39-1 and size 0xFFFF: every bit of every field set, no reserved bit.",
            msg(type=4, x=[X(15, (1 << 39) - 1, 0xFFFF)]), WF + " §1.9", ["BoundaryValue", "AddressSplit"])
    f.valid("pointer-three-in-order", "Three X descriptors keep their order; indices need not be sorted or distinct.",
            msg(type=4, x=[X(2, 0x3000, 0x30), X(0, 0x1000, 0x10), X(2, 0x2000, 0x20)], raw_words=[1]),
            WF + " §1.2, §1.9", [])
    f.valid("pointer-with-mode-3-list", "X with index 1 and a mode-4 receive list of two entries (the typical indexed layout).",
            msg(type=4, x=[X(1, 0x7000, 0x80)], raw_words=[0] * 4, recv_list_count=4,
                c=[C(0x10000, 0x100), C(0x20000, 0x100)]), WF + " §1.6, §1.9", [])
    f.valid("pointer-size-zero-no-list", "Zero-size X with mode 0: allowed by the kernel too (§1.6 mode 0).",
            msg(type=4, x=[X(0, 0, 0)]), WF + " §1.6", ["BoundaryValue"])
    f.valid("pointer-nonzero-no-list", "X with size > 0 and receive-list mode 0 encodes fine; the kernel would fail delivery with OutOfResource if the receiver has no list.",
            msg(type=4, x=[X(0, 0x1000, 0x10)]), WF + " §1.6, §1.14 #6", [])
    f.write()


def gen_map_alias():
    f = VFile("map-alias", "A / B / W (map-alias) descriptors: 39-bit address, 36-bit size, 2-bit attribute (mode).",
              [WF + " §1.10", WF + " §1.13", WF + " §1.14", WF + " §4", WF + " §7", MJ],
              notes(AttributeTwo="Attribute (mode) 2: representable at the wire level (message-json.md gives mode the range 0, 1, 2, 3), so decoding and re-encoding it is lossless; the kernel refuses it with 0xE801 (wire-format.md §1.10, §1.14 #5). Decision: wire-format.md §7.1 says encoders 'must reject attribute 2', but message-json.md (a contract) lists 2 as in range and the codec is a wire-level codec; rejection is a kernel / policy check, not a codec error.",
                    AddressSplit="The address uses the mid (word 2 bits 28..=31) and/or high (bits 2..=4) fields.",
                    SizeHigh="The size uses size_high (word 2 bits 24..=27 = size bits 32..=35).",
                    AbwInReply="A/B/W in a reply-shaped message (tag 0): the kernel refuses it (wire-format.md §1.10, §1.14 #4), the codec does not."))
    for sec, name in (("a", "send"), ("b", "receive"), ("w", "exchange")):
        f.group("%s-mode" % sec, "%s (%s) descriptor attribute values 0..=3 in word 2 bits 0..=1." % (sec.upper(), name), WF + " §1.10")
        for mode in range(4):
            fl = ["KernelRejects", "AttributeTwo"] if mode == 2 else []
            f.valid("map-alias-%s-mode-%d" % (sec, mode), "%s descriptor with attribute %d decodes and re-encodes losslessly." % (sec.upper(), mode),
                    msg(type=4, **{sec: [ABW(0x10000000, 0x1000, mode)]}), WF + " §1.10", fl)
    f.group("address", "The 39-bit address: low | mid << 32 | high << 36.", WF + " §1.10")
    addrs = [(0, "zero"), (0xFFFFFFFF, "low-max"), (1 << 32, "bit32"), (0xF << 32, "mid-max"),
             (1 << 36, "bit36"), (0x7 << 36, "high-max"), (0x7123456000, "ex5"), ((1 << 39) - 1, "max")]
    for sec in "abw":
        for v, name in addrs:
            if sec != "a" and name not in ("zero", "high-max", "max", "bit32"):
                continue
            fl = ["AddressSplit"] if v >= (1 << 32) else []
            if name in ("zero", "max"):
                fl.append("BoundaryValue")
            f.valid("map-alias-%s-address-%s" % (sec, name), "%s address 0x%x reassembles from low, mid (bits 28..=31) and high (bits 2..=4)." % (sec.upper(), v),
                    msg(type=4, **{sec: [ABW(v, 0x2000, 1)]}), WF + " §1.10", fl)
    f.group("size", "The 36-bit size: low | size_high << 32.", WF + " §1.10")
    sizes = [(0, "zero"), (1, "one"), (0xFFFFFFFF, "low-max"), (1 << 32, "bit32"), (0x100001000, "ex5"),
             (1 << 35, "bit35"), ((1 << 36) - 1, "max")]
    for sec in "abw":
        for v, name in sizes:
            if sec != "a" and name not in ("zero", "bit32", "max"):
                continue
            fl = ["SizeHigh"] if v >= (1 << 32) else []
            if name in ("zero", "max"):
                fl.append("BoundaryValue")
            f.valid("map-alias-%s-size-%s" % (sec, name), "%s size 0x%x: low word plus size_high in word 2 bits 24..=27." % (sec.upper(), v),
                    msg(type=4, **{sec: [ABW(0x40000, v, 0)]}), WF + " §1.10", fl)
    f.group("combined", "Every field at its maximum, ordering A, B, W, and replies.", WF + " §1.10")
    for sec in "abw":
        f.valid("map-alias-%s-all-fields-max" % sec, "%s with address 2^39-1, size 2^36-1 and attribute 3: every field bit set, no reserved bit." % sec.upper(),
                msg(type=4, **{sec: [ABW((1 << 39) - 1, (1 << 36) - 1, 3)]}), WF + " §1.10",
                ["BoundaryValue", "AddressSplit", "SizeHigh"])
    f.valid("map-alias-order-a-b-w", "Two of each of A, B and W: A before B before W, each in its own order.",
            msg(type=4, a=[ABW(0xA000, 1), ABW(0xA100, 2, 1)], b=[ABW(0xB000, 3, 3), ABW(0xB100, 4)],
                w=[ABW(0xC000, 5, 1), ABW(0xC100, 6)], raw_words=[0x11, 0x22]), WF + " §1.2, §1.10", [])
    f.valid("map-alias-w-only", "W without A or B is placed right after the X descriptors (Wi = Bi = Ai).",
            msg(type=4, x=[X(0, 0x10, 0x10)], w=[ABW(0x7000, 0x3000, 0)], raw_words=[0xFF]), WF + " §1.2", [])
    f.valid("map-alias-in-reply", "A reply (tag 0) with an A descriptor encodes fine; the kernel refuses it.",
            msg(type=0, a=[ABW(0x1000, 0x1000)], raw_words=[SFCO, 0, 0, 0]), WF + " §1.10, §1.14 #4",
            ["KernelRejects", "AbwInReply"])
    f.valid("map-alias-size-zero-address-zero", "Size 0 and address 0 is legal (libnx auto-select buffers).",
            msg(type=4, b=[ABW(0, 0, 0)]), WF + " §1.10", ["BoundaryValue"])
    f.write()


def gen_receive_list():
    f = VFile("receive-list", "Receive-list mode (header word 1 bits 10..=13) and C entries (39-bit address, 16-bit size).",
              [WF + " §1.6", WF + " §1.11", WF + " §1.13", MJ],
              notes(ModeNoEntries="Mode 0 (none) or 1 (to message buffer): no entries (wire-format.md §1.6).",
                    IndexedMode="Mode 3..=15: value − 2 entries (1..=13) (wire-format.md §1.6)."))
    f.group("modes", "Every mode 0..=15 with the number of entries it implies.", WF + " §1.6")
    for mode in range(16):
        n = entries(mode)
        cl = [C(0x100000 * (i + 1) + 0x10 * i, 0x100 + i) for i in range(n)]
        fl = ["ModeNoEntries"] if mode < 2 else (["IndexedMode"] if mode >= 3 else [])
        if mode == 15:
            fl.append("BoundaryValue")
        f.valid("recv-list-mode-%02d" % mode, "Mode %d: %d entr%s directly after the raw data." % (mode, n, "y" if n == 1 else "ies"),
                msg(type=4, raw_words=[0xD0D0D0D0], recv_list_count=mode, c=cl), WF + " §1.6", fl)
    f.group("modes-no-raw", "Every mode without raw data: the list starts right after the header / descriptors.", WF + " §1.2, §1.6")
    for mode in range(16):
        n = entries(mode)
        cl = [C(0x200000 + 0x1000 * i, 0x10 * (i + 1)) for i in range(n)]
        fl = ["ModeNoEntries"] if mode < 2 else (["IndexedMode"] if mode >= 3 else [])
        f.valid("recv-list-mode-%02d-bare" % mode, "Mode %d, no raw data, one X: the %d entr%s follow the X descriptor." % (mode, n, "y" if n == 1 else "ies"),
                msg(type=4, x=[X(0, 0x3000, 0x20)], recv_list_count=mode, c=cl), WF + " §1.2, §1.6", fl)
    f.group("entry-fields", "C entry: word 0 address low, word 1 bits 0..=6 address 32..=38, bits 16..=31 size.", WF + " §1.11")
    for v, name in [(0, "zero"), (0xFFFFFFFF, "low-max"), (1 << 32, "bit32"), (1 << 38, "bit38"),
                    (0x4321000000, "ex4"), ((1 << 39) - 1, "max")]:
        f.valid("recv-list-c-address-" + name, "C address 0x%x: bits 32..=38 in word 1 bits 0..=6." % v,
                msg(type=4, recv_list_count=2, c=[C(v, 0x200)]), WF + " §1.11",
                ["BoundaryValue"] if name in ("zero", "max") else [])
    for v, name in [(0, "zero"), (1, "one"), (0x8000, "bit15"), (0xFFFF, "max")]:
        f.valid("recv-list-c-size-" + name, "C size 0x%x in word 1 bits 16..=31." % v,
                msg(type=4, recv_list_count=3, c=[C(0x123400000, v)]), WF + " §1.11",
                ["BoundaryValue"] if name in ("zero", "max") else [])
    f.valid("recv-list-c-all-fields-max", "C with address 2^39-1 and size 0xFFFF: every field bit set, no reserved bit.",
            msg(type=4, recv_list_count=2, c=[C((1 << 39) - 1, 0xFFFF)]), WF + " §1.11", ["BoundaryValue"])
    f.valid("recv-list-mode-15-max-entries-with-everything", "Mode 15 (13 entries) after a PID, handles, descriptors and raw data.",
            msg(type=4, pid=0x99, copy_handles=[1], x=[X(12, 0x5000, 0x10)], a=[ABW(0x6000, 0x10)],
                raw_words=[1, 2, 3], recv_list_count=15, c=[C(0x10000 * i, 0x100) for i in range(13)]),
            WF + " §1.2, §1.6", ["BoundaryValue", "IndexedMode"])
    f.valid("recv-list-mode-2-tls", "A server's prepared receive buffer: mode 2 in a 0x100-byte TLS buffer, the rest zero.",
            msg(type=0, recv_list_count=2, c=[C(0x80000000, 0x1000 - 1)]), WF + " §1.6, §0.3", ["TrailingBytes"],
            trailing=bytes(0x100 - 16))
    f.write()


def gen_receive_list_offset():
    f = VFile("receive-list-offset", "Receive-list offset (header word 1 bits 20..=30): where the list sits, the gap, and offsets inside the message.",
              [WF + " §1.2", WF + " §1.4", WF + " §1.7", WF + " §1.14", MJ, RM],
              notes(ReceiveListOffset="recv_list_offset is non-zero: the receive list sits at that word index (wire-format.md §1.7).",
                    GapNotZero="The gap words between the end of the raw data and the receive list hold non-zero bytes. They are not part of the message: decoding ignores them and encoding writes zeros, so `encoded` differs from `bytes` (message-json.md, Rules).",
                    OffsetInside="recv_list_offset is non-zero and below the end of the raw data: rejected (wire-format.md §1.7 'reject offsets inside the raw data'; kernel 0xE801 §1.14 #2). Decision: the check applies whatever the receive-list mode, as the kernel's check does (§1.14 #2 names no mode), and it applies to any word index below the raw-data end, including the header and descriptors.",
                    OffsetNoList="recv_list_offset non-zero with mode 0 or 1 (no entries). Decision: message-json.md Rules ('The message ends at the end of the receive list, or of the raw data where there is no receive list') is followed: with no entries the message ends at the raw-data end whatever the offset, so words up to the offset are trailing bytes and need not be present. wire-format.md §1.2's table (end = RLi + 2·entries) would put the end at the offset instead; the contract text is the more specific one."))
    f.group("gap-zero", "Offset equal to the end of the raw data: same bytes as offset 0 except the field.", WF + " §1.7")
    cases = [
        ("raw1-mode2", msg(type=4, raw_words=[1], recv_list_count=2, c=[C(0x1000, 0x10)], recv_list_offset=3)),
        ("raw0-mode2", msg(type=4, recv_list_count=2, c=[C(0x2000, 0x20)], recv_list_offset=2)),
        ("raw4-mode3", msg(type=4, raw_words=[1, 2, 3, 4], recv_list_count=3, c=[C(0x3000, 0x30)], recv_list_offset=6)),
        ("x-raw2-mode5", msg(type=4, x=[X(1, 0x100, 8)], raw_words=[5, 6], recv_list_count=5,
                             c=[C(0x4000 + i, 0x40) for i in range(3)], recv_list_offset=6)),
        ("pid-copy-mode2", msg(type=4, pid=3, copy_handles=[9], raw_words=[7], recv_list_count=2,
                               c=[C(0x5000, 0x50)], recv_list_offset=7)),
        ("abw-mode15", msg(type=4, a=[ABW(1, 1)], b=[ABW(2, 2)], w=[ABW(3, 3)], raw_words=[8],
                           recv_list_count=15, c=[C(i << 12, i) for i in range(13)], recv_list_offset=12)),
    ]
    for name, m in cases:
        f.valid("recv-list-offset-gap-zero-" + name, "Offset %d equals the raw-data end: the list follows the raw data with no gap." % m["recv_list_offset"],
                m, WF + " §1.2, §1.7", ["ReceiveListOffset"])
    f.valid("recv-list-offset-gap-zero-mode0", "Mode 0 with offset equal to the raw-data end (2 raw words, offset 4): no entries, the message ends at word 4.",
            msg(type=4, raw_words=[1, 2], recv_list_offset=4), WF + " §1.7", ["ReceiveListOffset", "OffsetNoList"])
    f.valid("recv-list-offset-gap-zero-mode1", "Mode 1 with offset equal to the raw-data end (offset 3): no entries.",
            msg(type=4, raw_words=[0xAB], recv_list_count=1, recv_list_offset=3), WF + " §1.7", ["ReceiveListOffset", "OffsetNoList"])

    f.valid("recv-list-offset-no-list-beyond-raw-mode1", "Mode 1 with offset 8 past the raw-data end (word 3): no entries, so the message ends at the raw data and the next word is trailing.",
            msg(type=4, raw_words=[7], recv_list_count=1, recv_list_offset=8), MJ + " Rules; " + WF + " §1.7",
            ["ReceiveListOffset", "OffsetNoList", "TrailingBytes"], trailing=bytes.fromhex("aaaaaaaa"))
    f.valid("recv-list-offset-no-list-beyond-raw-mode0", "Mode 0 with offset 100 and nothing after the raw data: the message is complete (no list to read), 12 bytes.",
            msg(type=4, raw_words=[7], recv_list_offset=100), MJ + " Rules; " + WF + " §1.7",
            ["ReceiveListOffset", "OffsetNoList"])
    f.valid("recv-list-offset-no-list-beyond-raw-tls", "Mode 0 with offset 2047 in a 0x100-byte TLS buffer: trailing bytes count from the raw-data end.",
            msg(type=4, special_header=True, raw_words=[1, 2], recv_list_offset=2047), MJ + " Rules; " + WF + " §1.7",
            ["ReceiveListOffset", "OffsetNoList", "TrailingBytes", "BoundaryValue"], trailing=bytes(0x100 - 20))

    f.group("gap", "Offset past the raw-data end: zero words in between are not part of the message.", WF + " §1.7; " + MJ + " Rules")
    gap_cases = [
        ("raw1-gap2", msg(type=16, raw_words=[7], recv_list_count=2, c=[C(0x2000, 0x100)], recv_list_offset=5)),
        ("raw0-gap1", msg(type=4, recv_list_count=3, c=[C(0x3000, 0x10)], recv_list_offset=3)),
        ("raw2-gap10", msg(type=4, raw_words=[1, 2], recv_list_count=4, c=[C(0x4000, 0x10), C(0x5000, 0x20)], recv_list_offset=14)),
        ("x-gap4-mode15", msg(type=4, x=[X(5, 0x1000, 0x10)], raw_words=[3], recv_list_count=15,
                              c=[C(0x100 * i, i) for i in range(13)], recv_list_offset=9)),
        ("pid-gap3", msg(type=4, pid=0xFFFF000000000001, raw_words=[0], recv_list_count=2, c=[C(0x6000, 0x60)], recv_list_offset=9)),
        ("max-offset", msg(type=4, raw_words=[1], recv_list_count=2, c=[C(0x7000, 0x70)], recv_list_offset=2047)),
        ("raw63-gap1", msg(type=4, raw_words=list(range(63)), recv_list_count=2, c=[C(0x8000, 0x80)], recv_list_offset=66)),
    ]
    for name, m in gap_cases:
        fl = ["ReceiveListOffset"]
        if name == "max-offset":
            fl.append("BoundaryValue")
        f.valid("recv-list-offset-gap-zeros-" + name, "Offset %d past the raw-data end; the gap words are zero, so decoding then encoding gives the same bytes." % m["recv_list_offset"],
                m, WF + " §1.2, §1.7", fl)
    for name, m in gap_cases:
        enc = encode(m)
        raw_end = layout(*struct.unpack_from("<2I", enc), struct.unpack_from("<I", enc, 8)[0] if len(enc) > 8 else 0)[-2][2]
        off = m["recv_list_offset"]
        data = bytearray(enc)
        for i in range(raw_end, off):
            struct.pack_into("<I", data, 4 * i, 0xEE000000 | (i & 0xFFFFFF))
        fl = ["ReceiveListOffset", "GapNotZero"]
        f.valid("recv-list-offset-gap-nonzero-" + name, "Offset %d with non-zero gap words: they decode to nothing and encode as zeros (encoded differs from bytes)." % off,
                m, WF + " §1.7; " + MJ + " Rules", fl, data=bytes(data), encoded=H(enc))
    m = gap_cases[0][1]
    enc = encode(m)
    data = bytearray(enc)
    struct.pack_into("<2I", data, 12, 0xFFFFFFFF, 0x12345678)
    f.valid("recv-list-offset-gap-nonzero-trailing", "Non-zero gap and 0x100-byte TLS buffer: trailing bytes count from the end of the list, not the raw data.",
            m, WF + " §1.7; " + MJ + " Rules", ["ReceiveListOffset", "GapNotZero", "TrailingBytes"],
            data=bytes(data), trailing=bytes([0x5A]) * (0x100 - len(enc)), encoded=H(enc))

    f.group("inside", "Offsets below the end of the raw data are rejected, decoding and encoding.", WF + " §1.7, §1.14 #2")
    inside = [
        ("raw2-offset3", 4, [1, 2], 2, 3, None),     # raw ends at word 4
        ("raw2-offset2", 4, [1, 2], 2, 2, None),     # at raw start
        ("raw1-offset1", 4, [5], 2, 1, None),        # inside header
        ("raw8-offset9", 4, list(range(8)), 3, 9, None),
        ("mode0-offset3", 4, [1, 2], 0, 3, None),
        ("mode1-offset2", 4, [1, 2, 3], 1, 2, None),
        ("x-offset3", 4, [], 2, 3, [X(0, 0x10, 0x10)]),
        ("just-below", 4, list(range(10)), 15, 11, None),
    ]
    for name, t, raw, mode, off, xs in inside:
        n = entries(mode)
        cl = [C(0x1000 * (i + 1), 0x10) for i in range(n)]
        good = msg(type=t, raw_words=raw, recv_list_count=mode, c=cl, x=xs or [])
        enc = bytearray(encode(good))
        w1 = struct.unpack_from("<I", enc, 4)[0]
        struct.pack_into("<I", enc, 4, w1 | off << 20)
        fl = ["ReceiveListOffset", "OffsetInside"]
        f.dec_err("recv-list-offset-inside-decode-" + name,
                  "Header says offset %d but the raw data ends at word %d: decoding fails." % (off, 2 + 2 * len(xs or []) + len(raw)),
                  bytes(enc), err("recv_list_offset_inside_message"), WF + " §1.7", fl)
        bad = msg(type=t, raw_words=raw, recv_list_count=mode, c=cl, x=xs or [], recv_list_offset=off)
        f.enc_err("recv-list-offset-inside-encode-" + name,
                  "Encoding with offset %d below the raw-data end fails." % off,
                  bad, err("recv_list_offset_inside_message"), WF + " §1.7", fl)
    f.write()


def gen_reserved_bits():
    f = VFile("reserved-bits", "Bits outside every field (header word 1, special header, X, A/B/W, C) decode into `reserved` and re-encode; reserved values outside their field are rejected on encode.",
              [WF + " §1.4", WF + " §1.8", WF + " §1.9", WF + " §1.10", WF + " §1.11", WF + " §4", WF + " §5.5", WF + " §7", MJ],
              notes(ReservedBits="The input has bits outside every field; they decode into `reserved` (in their own bit positions) and encoding writes them back (message-json.md, `reserved`).",
                    LibnxDivergence="libnx (and the nx crate) use wider bitfields (wire-format.md §4, §5.5): they would read these reserved bits as address bits 39+ or index bits 4..=5. The codec uses the kernel widths, so the bits land in `reserved` and the address/index stay narrow.",
                    BitsOutsideField="Encoding a `reserved` value with a bit outside its reserved field fails with bits_outside_field naming the field (message-json.md: 'Bits outside the fields can only be given through reserved').",
                    SpecialReservedNoHeader="reserved.special non-zero without a special header: there is no word to hold the bits."))
    f.group("header1", "Header word 1 bits 14..=19.", WF + " §1.4")
    for bit in range(14, 20):
        f.valid("reserved-header1-bit%d" % bit, "Header word 1 bit %d decodes into reserved.header1 = 0x%x." % (bit, 1 << bit),
                msg(type=4, raw_words=[1], header1=1 << bit), WF + " §1.4", ["ReservedBits"])
    f.valid("reserved-header1-all", "All of header word 1 bits 14..=19 (0xFC000) with every other field also in use.",
            msg(type=4, special_header=True, raw_words=[1, 2], recv_list_count=15, c=[C(i, i) for i in range(13)],
                recv_list_offset=2047, header1=HEADER1_RESERVED_MASK), WF + " §1.4", ["ReservedBits", "BoundaryValue"])
    f.valid("reserved-header1-tipc", "A TIPC-shaped header with reserved bits (Atmosphère's TIPC server would reject it, the codec keeps it).",
            msg(type=17, raw_words=[0x2D707366, 0x00767273], header1=0x8000), WF + " §1.4, §3", ["ReservedBits"])

    f.group("special", "Special header bits 9..=31.", WF + " §1.8")
    for bit in range(9, 32):
        f.valid("reserved-special-bit%d" % bit, "Special header bit %d decodes into reserved.special = 0x%x." % (bit, 1 << bit),
                msg(type=4, copy_handles=[0x10], special=1 << bit), WF + " §1.8", ["ReservedBits"])
    f.valid("reserved-special-all-empty", "Empty special header whose reserved bits are all set (0xFFFFFE00): special_header true, counts 0.",
            msg(type=4, special_header=True, special=SPECIAL_RESERVED_MASK), WF + " §1.8", ["ReservedBits", "BoundaryValue"])
    f.valid("reserved-special-all-full", "Reserved special bits with PID, 15 copy and 15 move handles.",
            msg(type=0, pid=1 << 63, copy_handles=list(range(15)), move_handles=list(range(15)),
                special=SPECIAL_RESERVED_MASK), WF + " §1.8", ["ReservedBits", "BoundaryValue", "LargeInteger"])
    f.valid("reserved-special-and-header1", "Reserved bits in both header word 1 and the special header.",
            msg(type=4, pid=2, header1=0x40000, special=0x80000200), WF + " §1.4, §1.8", ["ReservedBits"])

    f.group("x", "X word 0 bits 4..=5 and 9..=11.", WF + " §1.9")
    for bit in (4, 5, 9, 10, 11):
        fl = ["ReservedBits", "LibnxDivergence"]
        f.valid("reserved-x-bit%d" % bit, "X word 0 bit %d decodes into x[0].reserved = 0x%x; index, address and size unaffected." % (bit, 1 << bit),
                msg(type=4, x=[X(5, 0x1234567890, 0x80, 1 << bit)]), WF + " §1.9", fl)
    f.valid("reserved-x-all", "X reserved 0xE30 with index 15, address 2^39-1 and size 0xFFFF: word 0 is 0xFFFFFFFF.",
            msg(type=4, x=[X(15, (1 << 39) - 1, 0xFFFF, X_RESERVED_MASK)]), WF + " §1.9",
            ["ReservedBits", "BoundaryValue", "LibnxDivergence"])
    assert encode(msg(x=[X(15, (1 << 39) - 1, 0xFFFF, X_RESERVED_MASK)]))[8:12] == b"\xff\xff\xff\xff"
    f.valid("reserved-x-second", "Only the second of two X descriptors has reserved bits.",
            msg(type=4, x=[X(0, 0x100, 1), X(1, 0x200, 2, 0x30)]), WF + " §1.9", ["ReservedBits"])

    f.group("abw", "A/B/W word 2 bits 5..=23.", WF + " §1.10")
    for bit in range(5, 24):
        f.valid("reserved-a-bit%d" % bit, "A word 2 bit %d decodes into a[0].reserved = 0x%x." % (bit, 1 << bit),
                msg(type=4, a=[ABW(0x7123456000, 0x100001000, 1, 1 << bit)]), WF + " §1.10",
                ["ReservedBits", "LibnxDivergence"])
    for sec in "bw":
        for r in (0x20, 0x800000, ABW_RESERVED_MASK):
            f.valid("reserved-%s-0x%x" % (sec, r), "%s word 2 reserved bits 0x%x decode into %s[0].reserved." % (sec.upper(), r, sec),
                    msg(type=4, **{sec: [ABW(0x0580000000, 0x2000, 3, r)]}), WF + " §1.10",
                    ["ReservedBits", "LibnxDivergence"])
    f.valid("reserved-a-all-fields-max", "A with every field and every reserved bit set: word 2 is 0xFFFFFFFF.",
            msg(type=4, a=[ABW((1 << 39) - 1, (1 << 36) - 1, 3, ABW_RESERVED_MASK)]), WF + " §1.10",
            ["ReservedBits", "BoundaryValue", "LibnxDivergence"])
    assert encode(msg(a=[ABW((1 << 39) - 1, (1 << 36) - 1, 3, ABW_RESERVED_MASK)]))[16:20] == b"\xff\xff\xff\xff"

    f.group("c", "C word 1 bits 7..=15.", WF + " §1.11")
    for bit in range(7, 16):
        f.valid("reserved-c-bit%d" % bit, "C word 1 bit %d decodes into c[0].reserved = 0x%x." % (bit, 1 << bit),
                msg(type=4, recv_list_count=2, c=[C(0x4321000000, 0x200, 1 << bit)]), WF + " §1.11",
                ["ReservedBits", "LibnxDivergence"])
    f.valid("reserved-c-all", "C with address 2^39-1, size 0xFFFF and reserved 0xFF80: word 1 is 0xFFFFFFFF.",
            msg(type=4, recv_list_count=3, c=[C((1 << 39) - 1, 0xFFFF, C_RESERVED_MASK)]), WF + " §1.11",
            ["ReservedBits", "BoundaryValue", "LibnxDivergence"])

    f.group("libnx-wide", "libnx-style wide values: an address written with bit 39 (or more) set by a libnx-width encoder.", WF + " §4, §5.5")
    # libnx X: address_high is 6 bits at 6..=11, so address bit 39 lands on word 0 bit 9.
    lo = 0x00001000
    w0 = 0 | (0x9 & 0x3F) << 6 | 0 << 12 | 0x10 << 16   # libnx address_high = 0b001001 -> bits 36 and 39
    data = struct.pack("<4I", 0x00010004, 0, w0, lo)
    f.valid("reserved-libnx-x-address-bit39", "libnx writes address 0x9000001000 (bit 39 set) into X: word 0 bit 9 is reserved, so the address is 0x1000001000 and reserved 0x200.",
            msg(type=4, x=[X(0, 0x1000001000, 0x10, 0x200)]), WF + " §1.9, §4", ["ReservedBits", "LibnxDivergence"],
            data=data)
    w0 = 0x23 | 0x10 << 16  # libnx 6-bit index 0x23: kernel index 3, reserved bit 5
    data = struct.pack("<4I", 0x00010004, 0, w0, 0x2000)
    f.valid("reserved-libnx-x-index-6bit", "libnx 6-bit index 0x23: the kernel-width index is 3 and bit 5 is reserved (0x20).",
            msg(type=4, x=[X(3, 0x2000, 0x10, 0x20)]), WF + " §1.9, §4", ["ReservedBits", "LibnxDivergence"], data=data)
    # libnx A/B/W: 22-bit address_high at word 2 bits 2..=23; bit 39 = word 2 bit 5 (§6 Ex 5 divergence check).
    q2 = 1 | (0x8 | 0x1) << 2   # address bits 36 and 39 via libnx field
    data = struct.pack("<5I", 0x00100004, 0, 0x1000, 0x20000000, q2)
    f.valid("reserved-libnx-a-address-bit39", "libnx A with address bit 39 set: word 2 bit 5 is reserved (0x20), the address keeps bits 0..=38 (0x1020000000).",
            msg(type=4, a=[ABW(0x1020000000, 0x1000, 1, 0x20)]), WF + " §1.10, §6 Ex 5", ["ReservedBits", "LibnxDivergence"], data=data)
    # libnx C: 16-bit address_high; bit 39 = word 1 bit 7.
    data = struct.pack("<4I", 0x00000004, 2 << 10, 0x30000000, 0x80 | 0x01 | 0x100 << 16)
    f.valid("reserved-libnx-c-address-bit39", "libnx C with address bit 39 set: word 1 bit 7 is reserved (0x80), the address is 0x130000000.",
            msg(type=4, recv_list_count=2, c=[C(0x130000000, 0x100, 0x80)]), WF + " §1.11, §4", ["ReservedBits", "LibnxDivergence"], data=data)
    data = struct.pack("<4I", 0x00000004, 2 << 10, 0, 0xFFFF | 0x10 << 16)
    f.valid("reserved-libnx-c-address-48bit", "A 48-bit address in libnx's 16-bit C address-high (0xFFFF00000000): the kernel reads bits 32..=38 only.",
            msg(type=4, recv_list_count=2, c=[C(0x7F00000000, 0x10, 0xFF80)]), WF + " §1.11, §4", ["ReservedBits", "LibnxDivergence"], data=data)

    f.group("encode-outside", "Reserved values with bits outside their reserved field are rejected on encode.", MJ + " Rules")
    bad = [
        ("header1-bit0", msg(type=4, header1=0), "reserved.header1", lambda m: m.update(reserved={"header1": 1})),
        ("header1-bit13", msg(type=4), "reserved.header1", lambda m: m.update(reserved={"header1": 0x2000})),
        ("header1-bit20", msg(type=4), "reserved.header1", lambda m: m.update(reserved={"header1": 0x100000})),
        ("header1-bit31", msg(type=4), "reserved.header1", lambda m: m.update(reserved={"header1": 0x80000000})),
        ("special-bit0", msg(type=4, special_header=True), "reserved.special", lambda m: m.update(reserved={"special": 1})),
        ("special-bit8", msg(type=4, pid=1), "reserved.special", lambda m: m.update(reserved={"special": 0x100})),
        ("special-bits1-4", msg(type=4, copy_handles=[1]), "reserved.special", lambda m: m.update(reserved={"special": 0x1E})),
        ("x-bit0", msg(type=4, x=[X(0, 0, 0)]), "x[0].reserved", lambda m: m["x"][0].update(reserved=1)),
        ("x-bit6", msg(type=4, x=[X(0, 0, 0)]), "x[0].reserved", lambda m: m["x"][0].update(reserved=0x40)),
        ("x-bit12", msg(type=4, x=[X(0, 0, 0)]), "x[0].reserved", lambda m: m["x"][0].update(reserved=0x1000)),
        ("x-bit16", msg(type=4, x=[X(0, 0, 0)]), "x[0].reserved", lambda m: m["x"][0].update(reserved=0x10000)),
        ("x1-bit8", msg(type=4, x=[X(0, 0, 0), X(1, 0, 0)]), "x[1].reserved", lambda m: m["x"][1].update(reserved=0x100)),
        ("a-bit0", msg(type=4, a=[ABW(0, 0)]), "a[0].reserved", lambda m: m["a"][0].update(reserved=1)),
        ("a-bit2", msg(type=4, a=[ABW(0, 0)]), "a[0].reserved", lambda m: m["a"][0].update(reserved=4)),
        ("a-bit24", msg(type=4, a=[ABW(0, 0)]), "a[0].reserved", lambda m: m["a"][0].update(reserved=0x1000000)),
        ("b-bit31", msg(type=4, b=[ABW(0, 0)]), "b[0].reserved", lambda m: m["b"][0].update(reserved=0x80000000)),
        ("w1-bit1", msg(type=4, w=[ABW(0, 0), ABW(0, 0)]), "w[1].reserved", lambda m: m["w"][1].update(reserved=2)),
        ("c-bit0", msg(type=4, recv_list_count=2, c=[C(0, 0)]), "c[0].reserved", lambda m: m["c"][0].update(reserved=1)),
        ("c-bit6", msg(type=4, recv_list_count=2, c=[C(0, 0)]), "c[0].reserved", lambda m: m["c"][0].update(reserved=0x40)),
        ("c-bit16", msg(type=4, recv_list_count=2, c=[C(0, 0)]), "c[0].reserved", lambda m: m["c"][0].update(reserved=0x10000)),
    ]
    for name, m, field, mut in bad:
        mut(m)
        f.enc_err("reserved-outside-" + name, "Encoding %s = 0x%x fails: the bit lies outside the reserved field." % (
            field, (m.get("reserved", {}).get(field.split(".")[1]) if field.startswith("reserved.")
                    else m[field[0]][int(field[2])]["reserved"])),
            m, err("bits_outside_field", field=field), MJ + " Rules; " + WF + " §1", ["BitsOutsideField"])
    m = msg(type=4)
    m["reserved"] = {"special": 0x200}
    f.enc_err("reserved-special-without-header", "reserved.special 0x200 with no special header (no PID, no handles, special_header absent) fails.",
              m, err("special_reserved_without_special_header"), MJ + " `reserved`", ["SpecialReservedNoHeader"])
    m = msg(type=4, raw_words=[1])
    m["special_header"] = False
    m["reserved"] = {"special": 0x80000000}
    f.enc_err("reserved-special-without-header-explicit-false", "reserved.special 0x80000000 with special_header false fails.",
              m, err("special_reserved_without_special_header"), MJ + " `reserved`", ["SpecialReservedNoHeader"])
    m = msg(type=4, special_header=True, special=0x200)
    f.valid("reserved-special-with-empty-header", "The same reserved.special 0x200 with special_header true encodes: the special header word is 0x200.",
            m, MJ + " `reserved`", ["ReservedBits"])
    m = msg(type=4)
    m["reserved"] = {"header1": 0, "special": 0}
    f.valid("reserved-zero-present", "`reserved` present with zero values is the same as absent (optional keys at their default may be present).",
            m, MJ + " optional keys", [])
    f.write()


def gen_worked():
    f = VFile("worked-examples", "The worked examples of wire-format.md §6 and the three pairs of message-json.md, byte for byte.",
              [WF + " §6", MJ + " three worked pairs"],
              notes(WorkedExample="The bytes are copied verbatim from the spec's worked example; the generator rebuilt them from the fields and asserted equality.",
                    ReservedBits="The example holds reserved bits.",
                    ReceiveListOffset="The example uses a non-zero receive-list offset.",
                    MoveInRequest="Move handles in a request (tag 4): wire-legal, the kernel refuses it (wire-format.md §6 Ex 3 layout note)."))
    f.group("wire-format", "wire-format.md §6 Ex 1 to Ex 10.", WF + " §6")
    for tid, comment, m, hx, source in WORKED:
        if tid.startswith("json-pair"):
            continue
        fl = ["WorkedExample"]
        if tid == "worked-ex3-pid-copy-move":
            fl += ["KernelRejects", "MoveInRequest"]
        f.valid(tid, comment, m, source, fl, data=bytes.fromhex(hx))
    f.group("message-json", "The three pairs of message-json.md.", MJ)
    for tid, comment, m, hx, source in WORKED:
        if not tid.startswith("json-pair"):
            continue
        fl = ["WorkedExample"]
        if "reserved" in tid:
            fl += ["ReservedBits", "ReceiveListOffset"]
        if tid == "json-pair-2-every-field":
            fl.append("LargeInteger")
        f.valid("worked-" + tid, comment, m, source, fl, data=bytes.fromhex(hx))
    f.group("tls", "Worked examples inside a full 0x100-byte TLS buffer.", WF + " §0.3; " + MJ + " Rules")
    for tid, comment, m, hx, source in WORKED:
        if tid in ("worked-ex2-cmif-request", "worked-ex5-a-b-w", "json-pair-2-every-field"):
            data = bytes.fromhex(hx)
            f.valid("worked-tls-" + tid.replace("worked-", ""), comment + " Padded to 0x100 bytes: trailing_bytes %d." % (0x100 - len(data)),
                    m, source, ["WorkedExample", "TrailingBytes"] + (["LargeInteger"] if "pair-2" in tid else []),
                    data=data, trailing=bytes(0x100 - len(data)))
    f.write()


def gen_truncation():
    f = VFile("truncation", "Byte strings shorter than the message their header declares: `truncated` names the first section in wire order whose end exceeds the input.",
              [WF + " §1.1", WF + " §1.2", MJ + " Rules", RM],
              notes(Truncated="The byte string ends before the end of the message; error truncated with the first section (wire order: header, special_header, pid, copy_handles, move_handles, x, a, b, w, raw_words, c) whose end exceeds the input (vectors/README.md).",
                    MidWord="The cut falls inside a word, not on a word boundary.",
                    OffsetOrder="Receive-list offset check versus truncation: the offset check happens after every section up to raw_words fits and before the c section check (vectors/README.md).",
                    ReceiveListOffset="recv_list_offset is non-zero."))
    full = msg(type=4, pid=0x0102030405060708, copy_handles=[0x11], move_handles=[0x22],
               x=[X(1, 0x2000, 0x30)], a=[ABW(0x3000, 0x40, 0)], b=[ABW(0x4000, 0x50, 1)],
               w=[ABW(0x5000, 0x60, 3)], raw_words=[0xCAFE, 0xBEEF], recv_list_count=3, c=[C(0x6000, 0x70)])
    data = encode(full)
    w0, w1, sp = struct.unpack_from("<3I", data)
    secs = layout(w0, w1, sp)

    def expected(n):
        if n < 8:
            return "header"
        for name, s, e in secs:
            if 4 * e > n:
                return name
        return None

    f.group("every-byte", "A message with one item in every section (22 words, 88 bytes) cut at every length 0..=87.", WF + " §1.1, §1.2")
    assert len(data) == 88
    for n in range(len(data)):
        sec = expected(n)
        fl = ["Truncated"] + (["MidWord"] if n % 4 else [])
        f.dec_err("truncation-all-sections-len-%03d" % n, "The full message cut to %d bytes: %s does not fit." % (n, sec),
                  data[:n], err("truncated", section=sec), WF + " §1.2", fl)
    f.valid("truncation-all-sections-complete", "The same message uncut decodes (the reference for the cuts above).",
            full, WF + " §1.2", [])

    f.group("sections", "Messages cut one byte before the end of a section, with the sections before it present or absent.", WF + " §1.2")
    cases = [
        ("header-empty", b"", "header"),
        ("header-4", encode(msg(type=4))[:4], "header"),
        ("header-7", encode(msg(type=4))[:7], "header"),
        ("special-8", encode(msg(type=4, special_header=True))[:8], "special_header"),
        ("special-11", encode(msg(type=4, special_header=True))[:11], "special_header"),
        ("pid-12", encode(msg(type=4, pid=5))[:12], "pid"),
        ("pid-16", encode(msg(type=4, pid=5))[:16], "pid"),
        ("pid-19", encode(msg(type=4, pid=5))[:19], "pid"),
        ("copy-15-short", encode(msg(type=4, copy_handles=list(range(15))))[:12 + 4 * 14], "copy_handles"),
        ("move-after-copy", encode(msg(type=0, copy_handles=[1, 2], move_handles=[3]))[:20 + 3], "move_handles"),
        ("x-no-special", encode(msg(type=4, x=[X(0, 1, 1), X(1, 2, 2)]))[:8 + 8 + 4], "x"),
        ("a-only", encode(msg(type=4, a=[ABW(1, 1)]))[:8 + 11], "a"),
        ("b-after-x", encode(msg(type=4, x=[X(0, 1, 1)], b=[ABW(1, 1)]))[:16 + 8], "b"),
        ("w-only", encode(msg(type=4, w=[ABW(1, 1)]))[:8 + 4], "w"),
        ("w-15", encode(msg(type=4, w=[ABW(i, i) for i in range(15)]))[:8 + 12 * 15 - 1], "w"),
        ("raw-1023", encode(msg(type=4, raw_words=[0xFFFFFFFF] * 1023))[:8 + 4 * 1022], "raw_words"),
        ("raw-header-only", encode(msg(type=4, raw_words=[1, 2, 3]))[:8], "raw_words"),
        ("c-mode2", encode(msg(type=4, raw_words=[1], recv_list_count=2, c=[C(1, 1)]))[:12 + 7], "c"),
        ("c-mode15", encode(msg(type=4, recv_list_count=15, c=[C(i, i) for i in range(13)]))[:8 + 8 * 12], "c"),
        ("c-no-entry-bytes", encode(msg(type=4, recv_list_count=3, c=[C(5, 5)]))[:8], "c"),
        ("x-declared-tls-empty", struct.pack("<2I", 0x000F0004, 0), "x"),
        ("raw-declared-1023-tls", struct.pack("<2I", 4, 1023) + bytes(0x100 - 8), "raw_words"),
    ]
    for name, d, sec in cases:
        f.dec_err("truncation-" + name, "A %d-byte input whose header declares more: %s does not fit." % (len(d), sec),
                  d, err("truncated", section=sec), WF + " §1.2", ["Truncated"] + (["MidWord"] if len(d) % 4 else []))

    f.group("receive-list-offset", "Truncation and the receive-list offset.", WF + " §1.7; " + RM)
    m = msg(type=4, raw_words=[1], recv_list_count=2, c=[C(0x1000, 0x10)], recv_list_offset=20)
    d = encode(m)
    f.dec_err("truncation-offset-list-beyond-input", "Offset 20 places the list past the end of the 12-byte input (raw data complete): c does not fit.",
              d[:12], err("truncated", section="c"), WF + " §1.7", ["Truncated", "ReceiveListOffset"])
    f.dec_err("truncation-offset-in-gap", "Input ends inside the gap before the list at word 20: c does not fit.",
              d[:40], err("truncated", section="c"), WF + " §1.7", ["Truncated", "ReceiveListOffset"])
    f.dec_err("truncation-offset-list-half", "Input ends in the middle of the list entry at word 20.",
              d[:84], err("truncated", section="c"), WF + " §1.7", ["Truncated", "ReceiveListOffset"])
    f.dec_err("truncation-offset-max-header-only", "Offset 2047 with only the header and raw word present.",
              encode(msg(type=4, raw_words=[1], recv_list_count=2, c=[C(1, 1)], recv_list_offset=2047))[:12],
              err("truncated", section="c"), WF + " §1.7", ["Truncated", "ReceiveListOffset"])
    # Offset inside the raw data and the raw data itself truncated: truncated raw_words comes first.
    hdr = struct.pack("<2I", 4, 4 | 2 << 10 | 3 << 20)
    f.dec_err("truncation-before-offset-check", "Offset 3 is inside 4 raw words, but the raw data is cut: truncated raw_words wins because every section up to raw_words is checked before the offset.",
              hdr + struct.pack("<2I", 1, 2), err("truncated", section="raw_words"), WF + " §1.7; " + RM,
              ["Truncated", "ReceiveListOffset", "OffsetOrder"])
    f.dec_err("truncation-offset-check-before-c", "Offset 3 is inside 4 raw words and the input ends at the raw-data end (the list would not fit either): recv_list_offset_inside_message, because the offset check comes before the c check.",
              hdr + struct.pack("<4I", 1, 2, 3, 4), err("recv_list_offset_inside_message"), WF + " §1.7; " + RM,
              ["ReceiveListOffset", "OffsetOrder"])
    f.write()


def gen_encode_range():
    f = VFile("encode-range", "Encode-side rejections: values that do not fit their field, too many items, receive-list entries that do not match the count.",
              [WF + " §1.3", WF + " §1.4", WF + " §1.6", WF + " §1.8", WF + " §1.9", WF + " §1.10", WF + " §1.11", WF + " §1.13", WF + " §7", MJ + " Rules", RM],
              notes(ValueTooLarge="A value that does not fit its field: encoding fails with value_too_large naming the JSON path, instead of truncating (message-json.md, Rules).",
                    TooManyItems="More items than the 4-bit count (15) or the 10-bit raw count (1023) can say: too_many_items naming the section.",
                    EntriesMismatch="The number of c entries differs from what recv_list_count implies (wire-format.md §1.6).",
                    BoundaryValue="The largest value that still fits: encodes fine (the valid counterpart of a rejection)."))
    f.group("value-too-large", "One field one past its largest value; everything else valid.", MJ + " Rules; " + WF + " §1.13")
    V = []

    def vt(name, m, field, comment):
        V.append((name, m, field, comment))

    vt("type-0x10000", msg(type=0x10000), "type", "type 0x10000 does not fit 16 bits.")
    vt("type-u32-max", msg(type=0xFFFFFFFF), "type", "type 0xFFFFFFFF does not fit 16 bits.")
    vt("x0-address-2p39", msg(x=[X(0, 1 << 39, 0)]), "x[0].address", "X address 2^39 does not fit 39 bits.")
    vt("x0-address-u64-max", msg(x=[X(0, (1 << 64) - 1, 0)]), "x[0].address", "X address 2^64-1 does not fit 39 bits.")
    vt("x1-address-2p40", msg(x=[X(0, 0, 0), X(1, 1 << 40, 0)]), "x[1].address", "The second X's address 2^40 does not fit: the path names x[1].")
    vt("x0-size-0x10000", msg(x=[X(0, 0, 0x10000)]), "x[0].size", "X size 0x10000 does not fit 16 bits.")
    vt("x2-size-0x10000", msg(x=[X(0, 0, 0), X(1, 0, 0), X(2, 0, 0x10000)]), "x[2].size", "Third X's size 0x10000 does not fit 16 bits.")
    vt("x0-index-16", msg(x=[X(16, 0, 0)]), "x[0].index", "X index 16 does not fit 4 bits (libnx's 6-bit index is not the kernel's).")
    vt("x2-index-63", msg(x=[X(0, 0, 0), X(1, 0, 0), X(63, 0, 0)]), "x[2].index", "X index 63 does not fit 4 bits.")
    for sec in "abw":
        vt("%s0-address-2p39" % sec, msg(**{sec: [ABW(1 << 39, 0)]}), "%s[0].address" % sec, "%s address 2^39 does not fit 39 bits." % sec.upper())
        vt("%s0-size-2p36" % sec, msg(**{sec: [ABW(0, 1 << 36)]}), "%s[0].size" % sec, "%s size 2^36 does not fit 36 bits." % sec.upper())
        vt("%s0-mode-4" % sec, msg(**{sec: [ABW(0, 0, 4)]}), "%s[0].mode" % sec, "%s mode 4 does not fit 2 bits." % sec.upper())
    vt("a1-size-2p36", msg(a=[ABW(0, 0), ABW(0, 1 << 36)]), "a[1].size", "Second A's size 2^36 does not fit: the path names a[1].")
    vt("b0-mode-255", msg(b=[ABW(0, 0, 255)]), "b[0].mode", "B mode 255 does not fit 2 bits.")
    vt("w2-mode-4", msg(w=[ABW(0, 0), ABW(0, 0), ABW(0, 0, 4)]), "w[2].mode", "Third W's mode 4 does not fit 2 bits.")
    vt("a0-address-u64-max", msg(a=[ABW((1 << 64) - 1, 0)]), "a[0].address", "A address 2^64-1 does not fit 39 bits.")
    vt("c0-size-0x10000", msg(recv_list_count=2, c=[C(0, 0x10000)]), "c[0].size", "C size 0x10000 does not fit 16 bits.")
    vt("c0-address-2p39", msg(recv_list_count=2, c=[C(1 << 39, 0)]), "c[0].address", "C address 2^39 does not fit 39 bits (libnx's 48-bit C address is not the kernel's).")
    vt("c1-address-2p47", msg(recv_list_count=4, c=[C(0, 0), C(1 << 47, 0)]), "c[1].address", "Second C's address 2^47 does not fit 39 bits.")
    vt("recv-list-count-16", msg(recv_list_count=16, c=[C(0, 0)] * 14), "recv_list_count", "recv_list_count 16 does not fit 4 bits (libnx wraps it silently).")
    vt("recv-list-count-17", msg(recv_list_count=17, c=[C(0, 0)] * 15), "recv_list_count", "recv_list_count 17 does not fit 4 bits.")
    vt("recv-list-offset-2048", msg(raw_words=[1], recv_list_count=2, c=[C(0, 0)], recv_list_offset=2048), "recv_list_offset", "recv_list_offset 2048 does not fit 11 bits.")
    vt("recv-list-offset-4095", msg(recv_list_offset=4095), "recv_list_offset", "recv_list_offset 4095 does not fit 11 bits.")
    for name, m, field, comment in V:
        f.enc_err("encode-range-" + name, "Encoding fails: " + comment, m, err("value_too_large", field=field),
                  MJ + " Rules; " + WF + " §1.13", ["ValueTooLarge"])

    f.group("max-values", "The largest value of each field encodes.", WF + " §1.13")
    f.valid("encode-range-max-type", "type 0xFFFF fits.", msg(type=0xFFFF), WF + " §1.3", ["BoundaryValue"])
    f.valid("encode-range-max-x", "X index 15, address 2^39-1, size 0xFFFF fit.", msg(x=[X(15, (1 << 39) - 1, 0xFFFF)]), WF + " §1.9", ["BoundaryValue"])
    f.valid("encode-range-max-abw", "A/B/W address 2^39-1, size 2^36-1, mode 3 fit.",
            msg(a=[ABW((1 << 39) - 1, (1 << 36) - 1, 3)], b=[ABW((1 << 39) - 1, (1 << 36) - 1, 3)], w=[ABW((1 << 39) - 1, (1 << 36) - 1, 3)]),
            WF + " §1.10", ["BoundaryValue"])
    f.valid("encode-range-max-c", "C address 2^39-1 and size 0xFFFF fit.", msg(recv_list_count=2, c=[C((1 << 39) - 1, 0xFFFF)]), WF + " §1.11", ["BoundaryValue"])
    f.valid("encode-range-max-offset", "recv_list_offset 2047 fits.", msg(recv_list_count=2, c=[C(0, 0)], recv_list_offset=2047), WF + " §1.7", ["BoundaryValue"])
    f.valid("encode-range-max-raw", "1023 raw words fit.", msg(raw_words=[0x5A5A5A5A] * 1023), WF + " §1.4", ["BoundaryValue"])
    f.valid("encode-range-max-handles", "15 copy and 15 move handles of 0xFFFFFFFF fit.",
            msg(type=0, copy_handles=[0xFFFFFFFF] * 15, move_handles=[0xFFFFFFFF] * 15), WF + " §1.8", ["BoundaryValue"])
    f.valid("encode-range-max-descriptors", "15 of each descriptor kind fit.",
            msg(x=[X(0, 0, 0)] * 15, a=[ABW(0, 0)] * 15, b=[ABW(0, 0)] * 15, w=[ABW(0, 0)] * 15), WF + " §1.3", ["BoundaryValue"])

    f.group("too-many-items", "16 of a 4-bit counted section, or 1024 raw words.", WF + " §1.13")
    T = [("copy-16", msg(copy_handles=list(range(16))), "copy_handles"),
         ("move-16", msg(type=0, move_handles=list(range(16))), "move_handles"),
         ("x-16", msg(x=[X(0, 0, 0)] * 16), "x"),
         ("a-16", msg(a=[ABW(0, 0)] * 16), "a"),
         ("b-16", msg(b=[ABW(0, 0)] * 16), "b"),
         ("w-16", msg(w=[ABW(0, 0)] * 16), "w"),
         ("raw-1024", msg(raw_words=[0] * 1024), "raw_words"),
         ("copy-16-with-pid", msg(pid=1, copy_handles=[7] * 16), "copy_handles"),
         ("x-20", msg(x=[X(i % 16, i, i) for i in range(20)]), "x"),
         ("raw-2000", msg(raw_words=[1] * 2000), "raw_words")]
    for name, m, sec in T:
        f.enc_err("encode-range-too-many-" + name, "%d items in %s: more than the count field can say." % (len(m[sec]), sec),
                  m, err("too_many_items", section=sec), WF + " §1.13", ["TooManyItems"])

    f.group("entries-mismatch", "c entries that do not match recv_list_count.", WF + " §1.6")
    E = [("count0-one-entry", 0, 1), ("count1-one-entry", 1, 1), ("count2-no-entry", 2, 0),
         ("count2-two-entries", 2, 2), ("count3-no-entry", 3, 0), ("count3-two-entries", 3, 2),
         ("count5-four-entries", 5, 4), ("count15-twelve", 15, 12), ("count15-fourteen", 15, 14),
         ("count0-thirteen", 0, 13)]
    for name, cnt, n in E:
        f.enc_err("encode-range-entries-" + name, "recv_list_count %d implies %d entries but c has %d." % (cnt, entries(cnt), n),
                  msg(recv_list_count=cnt, c=[C(0x1000 * i, 0x10) for i in range(n)]),
                  err("recv_list_entries_mismatch"), WF + " §1.6; " + MJ, ["EntriesMismatch"])
    f.write()


def gen_json_shape():
    f = VFile("json-shape", "Message JSON that is not of the message shape: the codec's JSON reader rejects it with kind json.",
              [MJ, RM],
              notes(JsonShape="The message JSON is not of the message shape (message-json.md): error kind json, with field = the JSON path of the offending key or value.",
                    Negative="A negative integer where a u16/u32/u64 belongs.",
                    Fractional="A number written with a fraction (4.0, 64.0): message-json.md says integers are plain JSON integers, read as u64 and never through a float. Decision: 4.0 is used rather than 4.5 because the vector schema types these values as integers and JSON Schema counts 4.0 as an integer; 4.5 would make the file invalid.",
                    MissingKey="A required key is missing (every key except special_header, recv_list_offset, trailing_bytes and reserved is required, message-json.md; descriptor reserved is optional).",
                    UnknownKey="A key that the object does not have in message-json.md (e.g. mode on an X, index on a C). Decision: only keys the vector schema admits can be written, so unknown top-level keys (the schema's message object is closed) cannot be expressed in format v1 and are not tested here.",
                    StringNumber="A string of decimal digits where an integer belongs. Decision: message-json.md says integers are plain JSON integers, and a codec test's message is the message JSON itself, judged by the codec's reader. vectors/README.md 'Numbers and expressions' lets a vector write an integer as a hex string (\"0x10\") or a symbol, not as a decimal string, so a decimal string is not an expression either; the schema admits it, which is why it is the form used here."))
    base = lambda: msg(type=4, x=[X(0, 0x1000, 0x10)], a=[ABW(0x2000, 0x20, 1)], b=[ABW(0x3000, 0x30)],
                       w=[ABW(0x4000, 0x40)], raw_words=[1, 2], recv_list_count=2, c=[C(0x5000, 0x50)],
                       copy_handles=[5], pid=6)
    ok = base()
    f.group("reference", "The well-formed message the cases below break.", MJ)
    f.valid("json-shape-reference", "The reference message: every key present and well-formed.", ok, MJ, [])
    cases = []

    def case(name, fl, field, mut, comment):
        m = base()
        mut(m)
        cases.append((name, fl, field, m, comment))

    def setp(path, value):
        def mut(m):
            obj = m
            parts = path.replace("]", "").replace("[", ".").split(".")
            for p in parts[:-1]:
                obj = obj[int(p)] if p.isdigit() else obj[p]
            last = parts[-1]
            if last.isdigit():
                obj[int(last)] = value
            else:
                obj[last] = value
        return mut

    def delp(path):
        def mut(m):
            obj = m
            parts = path.replace("]", "").replace("[", ".").split(".")
            for p in parts[:-1]:
                obj = obj[int(p)] if p.isdigit() else obj[p]
            del obj[parts[-1]]
        return mut

    for path in ["type", "pid", "copy_handles[0]", "x[0].index", "x[0].address", "a[0].size", "b[0].mode",
                 "raw_words[1]", "recv_list_count", "c[0].size", "w[0].address"]:
        case("negative-" + path.replace("[", "-").replace("].", "-").replace("]", "").replace("_", "-"),
             ["Negative"], path, setp(path, -1), "%s is -1." % path)
    case("negative-recv-list-offset", ["Negative"], "recv_list_offset", setp("recv_list_offset", -3), "recv_list_offset is -3.")
    case("negative-reserved-header1", ["Negative"], "reserved.header1", lambda m: m.update(reserved={"header1": -16384}), "reserved.header1 is -16384.")
    case("negative-pid-i64-min", ["Negative"], "pid", setp("pid", -(1 << 63)), "pid is -2^63.")
    for path, v in [("type", 4.0), ("x[0].size", 16.0), ("raw_words[0]", 1.0), ("pid", 6.0), ("c[0].address", 20480.0),
                    ("recv_list_count", 2.0)]:
        case("fractional-" + path.replace("[", "-").replace("].", "-").replace("]", "").replace("_", "-"),
             ["Fractional"], path, setp(path, v), "%s is written %r (a number with a fraction)." % (path, v))
    for path in ["type", "pid", "copy_handles", "move_handles", "x", "a", "b", "w", "raw_words", "recv_list_count", "c",
                 "x[0].index", "x[0].address", "x[0].size", "a[0].mode", "b[0].address", "w[0].size", "c[0].address", "c[0].size"]:
        case("missing-" + path.replace("[", "-").replace("].", "-").replace("]", "").replace("_", "-"),
             ["MissingKey"], path, delp(path), "Key %s is missing." % path)
    for path, v in [("x[0].mode", 0), ("a[0].index", 0), ("b[0].index", 1), ("w[0].index", 2), ("c[0].index", 0), ("c[0].mode", 0)]:
        case("unknown-" + path.replace("[", "-").replace("].", "-").replace("]", "").replace("_", "-"),
             ["UnknownKey"], path, setp(path, v), "%s is not a key of that descriptor." % path)
    for path, v in [("type", "4"), ("x[0].size", "16"), ("raw_words[0]", "1"), ("pid", "6"), ("c[0].address", "20480")]:
        case("string-" + path.replace("[", "-").replace("].", "-").replace("]", "").replace("_", "-"),
             ["StringNumber"], path, setp(path, v), "%s is the string %s." % (path, json.dumps(v)))
    for name, fl, field, m, comment in cases:
        f.enc_err("json-shape-" + name, "Reading the message JSON fails: " + comment, m,
                  err("json", field=field), MJ + "; " + RM + " Codec tests", ["JsonShape"] + fl, check=False)
    f.group("optional-keys", "Optional keys at their default may be present or absent.", MJ + " Optional keys")
    m = base()
    m.update(special_header=True, recv_list_offset=0, trailing_bytes=0, reserved={"header1": 0, "special": 0})
    m["x"][0]["reserved"] = 0
    m["c"][0]["reserved"] = 0
    f.valid("json-shape-optional-defaults-present", "Every optional key written at its default (special_header true is implied by the PID) decodes/encodes like the reference.",
            m, MJ + " Optional keys", [])
    m = msg(type=4, raw_words=[1])
    m["special_header"] = False
    f.valid("json-shape-special-header-false", "special_header false written explicitly.", m, MJ, [])
    data = encode(msg(type=4, raw_words=[1]))
    f.valid("json-shape-trailing-ignored-by-encode", "4 trailing bytes: decoding reports trailing_bytes 4; encoding the message (which carries trailing_bytes) ignores it.",
            msg(type=4, raw_words=[1]), MJ + " Optional keys", ["TrailingBytes"], data=data, trailing=b"\x01\x02\x03\x04")
    f.valid("json-shape-trailing-one-byte", "A single trailing byte (not a whole word) is reported as trailing_bytes 1.",
            msg(type=4, raw_words=[1]), MJ + " Rules", ["TrailingBytes"], data=data, trailing=b"\xff")
    f.write()


# ---------------------------------------------------------------------------

def validate():
    files = sorted(glob.glob(os.path.join(OUT, "*.json")))
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    if jsonschema:
        with open(os.path.join(ROOT, "vectors", "schema", "vectors-v2.schema.json")) as fh:
            schema = json.load(fh)
        v = jsonschema.Draft202012Validator(schema)
        for p in files:
            with open(p) as fh:
                doc = json.load(fh)
            errs = list(v.iter_errors(doc))
            assert not errs, (p, [(list(e.absolute_path), e.message) for e in errs[:5]])
    ids = {}
    for p in glob.glob(os.path.join(ROOT, "vectors", "**", "*.json"), recursive=True):
        if os.sep + "schema" + os.sep in p:
            continue
        with open(p) as fh:
            doc = json.load(fh)
        for g in doc.get("groups", []):
            for t in g.get("tests", []):
                assert t["id"] not in ids, ("duplicate id", t["id"], p, ids.get(t["id"]))
                ids[t["id"]] = p
    return len(ids)


def main():
    os.makedirs(OUT, exist_ok=True)
    hand_checks()
    gen_header()
    gen_special_header()
    gen_handles()
    gen_pointer()
    gen_map_alias()
    gen_receive_list()
    gen_receive_list_offset()
    gen_reserved_bits()
    gen_worked()
    gen_truncation()
    gen_encode_range()
    gen_json_shape()
    n = validate()
    tv = ti = 0
    for topic, nv, ni in SUMMARY:
        print("%-22s valid %3d  invalid %3d" % (topic, nv, ni))
        tv += nv
        ti += ni
    print("%-22s valid %3d  invalid %3d  total %d (ids across vectors/: %d)" % ("TOTAL", tv, ti, tv + ti, n))


if __name__ == "__main__":
    main()
