#!/usr/bin/env python3
"""Generate the layer vectors vectors/codec/cmif.json and vectors/codec/tipc.json.

This is an INDEPENDENT encoder/decoder of the CMIF and TIPC layers that live inside
the HIPC raw data, written from the specification text only:
docs/spec/wire-format.md §2 (CMIF), §3 (TIPC), §1.5 (tags) and the worked
examples of §6. It was NOT written from, and does not call, the project's Rust code
(codec/ or conformance/), nor does it use output of the project's command-line tool.
The HIPC words around the raw data are packed and unpacked by the independent
encoder of gen_codec_vectors.py (same directory), whose helpers it imports.

What is taken from the project rather than the spec, because it is the interface
under test and not behaviour: the names of the JSON keys of the "cmif" / "tipc"
objects (vectors/README.md "Layer tests", which points at the key list of
conformance/src/layer_json.rs: magic, version, command_id, result, token, payload,
domain {type, num_in_objects, data_size, object_id, token, in_objects,
num_out_objects}, size_table {data_size, sizes}, close) and the error kind names
(codec/src/error.rs: cmif_*, tipc_*). Which outcome each input has comes from the
spec rule cited next to each invalid case below.

The layer view this script computes (the expected "cmif" / "tipc" object):
* CMIF request (tag 4..=7; §2.1-2.3, §2.5, §2.7): the SFCI header at
  A = align_up(R, 16) (A + 16 after a domain header), payload = every byte after the
  header up to the end of the raw data; on a domain session (tags 4 and 6 only,
  §2.6) the domain header first, and the payload is exactly data_size - 16 bytes,
  followed by the in-object ids (unaligned when the data is). A domain Close (type 2)
  has no SFCI header. The size table, when asked for, is read at
  R + 16 + [16 + 4k] + 16 + round_up(D, 2) (§2.3).
* CMIF response (tag 0 by default, or any tag when the layer says response; §2.4,
  §2.6): [domain out-header], SFCO at A (+16), payload = the rest of the raw data.
* CMIF tag 2 (§1.5): a HIPC Close, {"close": true}.
* TIPC request (§3): tag 15 CloseSession (the bare header) or method tag - 16 with
  the whole raw data as payload; reply: raw word 0 is the result, the rest the
  payload, command_id = tag - 16 when the tag is 16 or more.

Run from the repository root:

    python3 vectors/tools/gen_layer_vectors.py

It rewrites vectors/codec/cmif.json and vectors/codec/tipc.json, validates every
codec file against vectors/schema/vectors-v2.schema.json and checks that test ids
are unique across vectors/.

Self-checks: the CMIF/TIPC builders below rebuild the raw data of wire-format.md §6
Ex 2, 3, 6, 7 (request and the domain Close described in words), 8, 9 (request and
reply) and 10 from their fields, and the whole messages are compared word for word
with the hex printed in the spec. Every valid vector's expected layer object is the
builder's input, read back by the independent view and compared.
"""

import copy
import os
import struct
import sys

sys.dont_write_bytecode = True   # keep vectors/tools free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_codec_vectors as hv  # noqa: E402  (the independent HIPC encoder)
from gen_codec_vectors import ABW, C, WF, X, H, msg, encode, decode, canon  # noqa: E402

RM = "vectors/README.md"
SFCI, SFCO = 0x49434653, 0x4F434653   # §2.2: "SFCI" / "SFCO" little-endian
BUDGET = 16                           # §2.1: the raw data budgets 16 bytes of padding
HDR = 16                              # §2.2, §2.5, §2.6: every CMIF header is 16 bytes


class LayerError(Exception):
    def __init__(self, kind, section=None):
        super().__init__(kind, section)
        self.err = {"kind": kind}
        if section is not None:
            self.err["section"] = section


# ---------------------------------------------------------------------------
# Offsets (§1.2, §2.1)
# ---------------------------------------------------------------------------

def raw_offset(m):
    """R: byte offset of the raw data, from the counts (§1.2)."""
    S = 1 if (m["pid"] is not None or m["copy_handles"] or m["move_handles"]
              or m.get("special_header")) else 0
    P = 1 if m["pid"] is not None else 0
    words = (2 + S + 2 * P + len(m["copy_handles"]) + len(m["move_handles"])
             + 2 * len(m["x"]) + 3 * (len(m["a"]) + len(m["b"]) + len(m["w"])))
    return 4 * words


def pad_of(R):
    """§2.1: pad = align_up(R, 16) - R, relative to the message start."""
    return (16 - R % 16) % 16


def round_up(v, n):
    return (v + n - 1) // n * n


def to_words(raw):
    assert len(raw) % 4 == 0, len(raw)
    return list(struct.unpack("<%dI" % (len(raw) // 4), raw))


def from_words(ws):
    return struct.pack("<%dI" % len(ws), *ws)


def with_raw(m, raw):
    m = copy.deepcopy(m)
    m["raw_words"] = to_words(raw)
    return m


# ---------------------------------------------------------------------------
# Builders: the libnx / libstratosphere layouts of §2 and §3
# ---------------------------------------------------------------------------

def cmif_request(m, command_id, data=b"", context=False, token=0, domain=None, sizes=()):
    """§2.1-2.3, §2.5, §2.8 (libnx cmifMakeRequest): the raw data of a request.

    domain: None, or {"object_id", "in_objects": [...]} for a SendMessage.
    context: tag 6, SFCI version 1; the token goes in the SFCI header, or in the domain
    header (SFCI token 0) in a domain message (§2.8).
    sizes: the u16 out-pointer size table entries (§2.3).
    """
    assert m["type"] == (6 if context else 4)
    R = raw_offset(m)
    pad = pad_of(R)
    D = len(data)
    k = len(domain["in_objects"]) if domain else 0
    T = BUDGET + (HDR + 4 * k if domain else 0) + HDR + round_up(D, 2)   # §2.3
    n = len(sizes)
    raw = bytearray(4 * -(-(T + 2 * n) // 4))                            # ceil((T + 2n) / 4) words
    pos = pad
    version = 1 if context else 0
    if domain:
        # §2.5: type 1 SendMessage, num_in_objects, data_size = 16 + D, object_id,
        # padding, token.
        struct.pack_into("<BBHIII", raw, pos, 1, k, HDR + D, domain["object_id"], 0, token)
        pos += HDR
        sfci_token = 0
    else:
        sfci_token = token
    struct.pack_into("<4I", raw, pos, SFCI, version, command_id, sfci_token)
    pos += HDR
    raw[pos:pos + D] = data
    pos += D
    for i, oid in enumerate(domain["in_objects"] if domain else ()):
        struct.pack_into("<I", raw, pos + 4 * i, oid)                    # unaligned when D is
    pos += 4 * k
    assert pos <= T
    for i, s in enumerate(sizes):
        struct.pack_into("<H", raw, T + 2 * i, s)                        # at R + T
    return bytes(raw)


def cmif_domain_close(m, object_id, token=0):
    """§2.5 (libnx): tag 4, raw_count (16 + 16) / 4 = 8, the domain header alone."""
    assert m["type"] == 4
    pad = pad_of(raw_offset(m))
    raw = bytearray(BUDGET + HDR)
    struct.pack_into("<BBHIII", raw, pad, 2, 0, 0, object_id, 0, token)
    return bytes(raw)


def cmif_control(m, command_id, data=b"", token=0):
    """§2.3 last line, §2.7 (libnx cmifMakeControlRequest): tag 5 (7 with a context),
    raw_count = ceil((16 + 16 + D) / 4), no domain header, no size table."""
    context = m["type"] == 7
    assert m["type"] in (5, 7)
    pad = pad_of(raw_offset(m))
    raw = bytearray(4 * -(-(BUDGET + HDR + len(data)) // 4))
    struct.pack_into("<4I", raw, pad, SFCI, 1 if context else 0, command_id, token)
    raw[pad + HDR:pad + HDR + len(data)] = data
    return bytes(raw)


def cmif_response(m, result=0, out=b"", out_objects=None, token=0):
    """§2.4, §2.6 (libstratosphere PrepareForReply): raw_count =
    (align4(16 + out) + 16) / 4, or with a domain (align4(out + 4k) + 32 + 16) / 4;
    [domain out-header: num_out_objects], SFCO, out data, out-object ids right after
    the unaligned out data."""
    pad = pad_of(raw_offset(m))
    if out_objects is None:
        raw = bytearray(round_up(HDR + len(out), 4) + BUDGET)
    else:
        raw = bytearray(round_up(len(out) + 4 * len(out_objects), 4) + 2 * HDR + BUDGET)
    pos = pad
    if out_objects is not None:
        struct.pack_into("<4I", raw, pos, len(out_objects), 0, 0, 0)
        pos += HDR
    struct.pack_into("<4I", raw, pos, SFCO, 0, result, token)
    pos += HDR
    raw[pos:pos + len(out)] = out
    pos += len(out)
    for i, oid in enumerate(out_objects or ()):
        struct.pack_into("<I", raw, pos + 4 * i, oid)
    return bytes(raw)


def tipc_request_raw(payload):
    """§3: raw = the in-arguments, raw_count = ceil(size / 4)."""
    return bytes(payload) + bytes(-len(payload) % 4)


def tipc_reply_raw(result, out=b""):
    """§3: raw word 0 = result, then the out data; raw_count = 1 + ceil(out / 4)."""
    return struct.pack("<I", result) + bytes(out) + bytes(-len(out) % 4)


# ---------------------------------------------------------------------------
# The independent layer view: bytes -> the "cmif" / "tipc" object, or LayerError
# ---------------------------------------------------------------------------

def u32_at(raw, pos):
    return struct.unpack_from("<I", raw, pos)[0]


def cmif_view(data, domain=False, response=None, size_table=None):
    """The "cmif" object of a message, or LayerError naming the spec rule broken."""
    m = decode(data)                   # HIPC first (gen_codec_vectors; DecodeError)
    tag = m["type"]
    raw = from_words(m["raw_words"])
    L = len(raw)
    pad = pad_of(raw_offset(m))
    if response if response is not None else tag == 0:
        # §2.4 / §2.6: 16-byte budget + [domain out-header] + SFCO header.
        if L < BUDGET + HDR * (2 if domain else 1):
            raise LayerError("cmif_raw_too_small", "raw_words")
        pos = pad
        obj = {}
        if domain:
            dom = {"num_out_objects": u32_at(raw, pos)}
            pos += HDR
        magic, version, result, token = struct.unpack_from("<4I", raw, pos)
        if magic != SFCO:              # §2.4: libnx checks the SFCO magic
            raise LayerError("cmif_bad_magic", "raw_words")
        obj.update(magic=magic, version=version, result=result, token=token,
                   payload=raw[pos + HDR:].hex())
        if domain:
            obj["domain"] = dom
        return obj
    if tag == 2 and response is None:  # §1.5: HIPC Close, no CMIF body
        return {"close": True}
    if tag not in (4, 5, 6, 7):        # §1.5, §2.10: UnknownCommandType
        raise LayerError("cmif_bad_tag", "header")
    control = tag in (5, 7)
    on_domain = domain and not control  # §2.6: control requests never carry one
    if L < BUDGET + HDR:               # §2.1 budget + §2.10 "payload < 16 bytes"
        raise LayerError("cmif_raw_too_small", "raw_words")
    obj = {}
    pos = pad
    k = 0
    if on_domain:
        typ, k, data_size, object_id, _, dtoken = struct.unpack_from("<BBHIII", raw, pos)
        if typ not in (1, 2):          # §2.5, §2.10: unknown domain type, InvalidInHeader
            raise LayerError("cmif_domain_unknown_type", "raw_words")
        dom = {"type": typ, "num_in_objects": k, "data_size": data_size,
               "object_id": object_id, "token": dtoken}
        if typ == 2:                   # §2.5: a Close is the domain header alone
            dom["in_objects"] = []
            obj["domain"] = dom
            return obj
        # §2.10 "payload < 16 bytes for SFCI": the SendMessage's SFCI must fit too.
        if L < BUDGET + 2 * HDR:
            raise LayerError("cmif_raw_too_small", "raw_words")
        # §2.1: the CMIF region is raw_count*4 - 16 bytes from A; after the domain
        # header that leaves L - 32.
        avail = L - BUDGET - HDR
        if data_size < HDR:            # §2.5: data_size = 16 + D holds the SFCI header
            raise LayerError("cmif_domain_data_too_small", "raw_words")
        if data_size > avail:          # §2.5: data_size + 4k <= remaining raw
            raise LayerError("cmif_domain_data_out_of_bounds", "raw_words")
        if data_size + 4 * k > avail:
            raise LayerError("cmif_domain_objects_out_of_bounds", "raw_words")
        ids_at = pos + HDR + data_size
        dom["in_objects"] = [u32_at(raw, ids_at + 4 * i) for i in range(k)]
        obj["domain"] = dom
        pos += HDR
    magic, version, command_id, token = struct.unpack_from("<4I", raw, pos)
    if magic != SFCI:                  # §2.2, §2.10: bad magic, InvalidInHeader
        raise LayerError("cmif_bad_magic", "raw_words")
    end = pos + obj["domain"]["data_size"] if on_domain else L
    obj.update(magic=magic, version=version, command_id=command_id, token=token,
               payload=raw[pos + HDR:end].hex())
    if size_table is not None:
        D, n = size_table
        T = BUDGET + (HDR + 4 * k if on_domain else 0) + HDR + round_up(D, 2)   # §2.3
        if T + 2 * n > L:              # §2.3: raw_count*4 >= align4(T + 2n), InvalidCmifRequest
            raise LayerError("cmif_size_table_out_of_bounds", "raw_words")
        obj["size_table"] = {"data_size": D,
                             "sizes": [struct.unpack_from("<H", raw, T + 2 * i)[0] for i in range(n)]}
    # Key order as written by the view (cosmetic).
    order = ["close", "magic", "version", "command_id", "result", "token", "payload", "domain",
             "size_table"]
    return {key: obj[key] for key in order if key in obj}


def tipc_view(data, response=False):
    """The "tipc" object of a message, or LayerError naming the §3 rule broken."""
    m = decode(data)
    tag = m["type"]
    raw = from_words(m["raw_words"])
    if response:
        if len(raw) < 4:               # §3: raw word 0 is the result
            raise LayerError("tipc_raw_too_small", "raw_words")
        obj = {}
        if tag >= 16:
            obj["command_id"] = tag - 16
        obj["result"] = u32_at(raw, 0)
        obj["payload"] = raw[4:].hex()
        return obj
    if tag < 15:                       # §3: tag 0 and any unmatched tag: InvalidMethod
        raise LayerError("tipc_bad_tag", "header")
    w0, w1 = struct.unpack_from("<2I", data, 0)
    if tag == 15:                      # §1.5, §3: exactly {tag 15, everything else 0}
        if (w0, w1) != (15, 0):
            raise LayerError("tipc_close_not_bare", "header")
        return {"close": True}
    # §3 strict header match: X = 0, W = 0, receive-list mode 0, offset 0,
    # reserved 0, and the special header word compared exactly.
    if m["x"]:
        raise LayerError("tipc_section_not_allowed", "x")
    if m["w"]:
        raise LayerError("tipc_section_not_allowed", "w")
    if m["recv_list_count"]:
        raise LayerError("tipc_section_not_allowed", "c")
    if m.get("recv_list_offset"):
        raise LayerError("tipc_field_not_zero", "header")
    if m.get("reserved", {}).get("header1"):
        raise LayerError("tipc_field_not_zero", "header")
    if m.get("reserved", {}).get("special"):
        raise LayerError("tipc_field_not_zero", "special_header")
    return {"command_id": tag - 16, "payload": raw.hex()}


# ---------------------------------------------------------------------------
# Worked examples (§6): rebuild every word from the fields and compare
# ---------------------------------------------------------------------------

def worked_examples():
    ex = {}
    # Ex 2: tag 4, command 1, payload u32 0xDEADBEEF, u32 1.
    m = msg(type=4)
    ex[2] = encode(with_raw(m, cmif_request(m, 1, struct.pack("<2I", 0xDEADBEEF, 1))))
    assert H(ex[2]) == "040000000a000000000000000000000053464349000000000100000000000000efbeadde010000000000000000000000"
    # Ex 3: PID 0x51, copy 0x1234, move 0x5678, command 3, no payload.
    m = msg(type=4, pid=0x51, copy_handles=[0x1234], move_handles=[0x5678])
    ex[3] = encode(with_raw(m, cmif_request(m, 3)))
    assert H(ex[3]) == "040000000800008023000000510000000000000034120000785600000000000053464349000000000300000000000000000000000000000000000000"
    # Ex 6: TIPC GetServiceHandle (method 1), "fsp-srv\0"; the reply, one move handle.
    m = msg(type=1 + 16)
    ex["6req"] = encode(with_raw(m, tipc_request_raw(b"fsp-srv\0")))
    assert H(ex["6req"]) == "11000000020000006673702d73727600"
    m = msg(type=17, move_handles=[0x0001000F])
    ex["6rep"] = encode(with_raw(m, tipc_reply_raw(0)))
    assert H(ex["6rep"]) == "1100000001000080200000000f00010000000000"
    # Ex 7: domain SendMessage to object 1, in-object 5, command 2, payload u32 0x2A.
    m = msg(type=4)
    ex[7] = encode(with_raw(m, cmif_request(m, 2, struct.pack("<I", 0x2A),
                                            domain={"object_id": 1, "in_objects": [5]})))
    assert H(ex[7]) == "040000000e000000000000000000000001011400010000000000000000000000534643490000000002000000000000002a000000050000000000000000000000"
    # Ex 7, domain Close of object 1 (given in words): tag 4, raw_count 8, w4 = 2, w5 = 1.
    ex["7close"] = encode(with_raw(m, cmif_domain_close(m, 1)))
    assert struct.unpack("<10I", ex["7close"]) == (4, 8, 0, 0, 2, 1, 0, 0, 0, 0)
    # Ex 8: command 10, payload u32 7, one out pointer of size 0x80 (table + C, mode 3).
    m = msg(type=4, recv_list_count=3, c=[C(0x123400000, 0x80)])
    ex[8] = encode(with_raw(m, cmif_request(m, 10, struct.pack("<I", 7), sizes=[0x80])))
    assert H(ex[8]) == "040000000a0c0000000000000000000053464349000000000a00000000000000070000000000000000000000800000000000402301008000"
    # Ex 9: ConvertCurrentObjectToDomain; the reply with one move handle.
    m = msg(type=5)
    ex["9req"] = encode(with_raw(m, cmif_control(m, 0)))
    assert H(ex["9req"]) == "05000000080000000000000000000000534643490000000000000000000000000000000000000000"
    m = msg(type=0, move_handles=[0x00010002])
    ex["9rep"] = encode(with_raw(m, cmif_response(m, 0)))
    assert H(ex["9rep"]) == "000000000800008020000000020001005346434f00000000000000000000000000000000000000000000000000000000"
    # Ex 10: domain reply, one out-object (2), no out data.
    m = msg(type=0)
    ex[10] = encode(with_raw(m, cmif_response(m, 0, out_objects=[2])))
    assert H(ex[10]) == "000000000d0000000000000000000000010000000000000000000000000000005346434f000000000000000000000000020000000000000000000000"
    return ex


# ---------------------------------------------------------------------------
# Test builders
# ---------------------------------------------------------------------------

def layer_key(protocol, domain=False, response=None, size_table=None):
    key = {"protocol": protocol}
    if domain:
        key["domain"] = True
    if response is not None:
        key["response"] = response
    if size_table is not None:
        key["size_table"] = {"data_size": size_table[0], "count": size_table[1]}
    return key


def view(key, data):
    st = key.get("size_table")
    if key["protocol"] == "cmif":
        return cmif_view(data, key.get("domain", False), key.get("response"),
                         (st["data_size"], st["count"]) if st else None)
    return tipc_view(data, key.get("response", False))


class LayerFile(hv.VFile):
    def lvalid(self, tid, comment, key, data, source, flags=(), expect=None, trailing=b""):
        """A valid layer test: bytes decode to the HIPC message and the layer object.
        expect: keys the layer object must hold (the builder's inputs), checked
        against the independent view."""
        data = bytes(data)
        obj = view(key, data + trailing)
        for k, v in (expect or {}).items():
            assert obj.get(k) == v, (tid, k, obj.get(k), v)
        m = decode(data + trailing)
        assert encode(m) == data, tid          # decode-then-encode gives the bytes
        m = canon(m)
        m[key["protocol"]] = obj
        t = {"id": tid, "comment": comment, "source": source, "flags": list(flags),
             "result": "valid", "layer": key, "bytes": H(data + trailing), "message": m}
        self._add(t)
        return obj

    def lerr(self, tid, comment, key, data, error, source, flags=()):
        """An invalid layer test: decoding the bytes (HIPC, then the layer) fails."""
        try:
            view(key, bytes(data))
        except LayerError as e:
            assert e.err == error, (tid, e.err, error)
        else:
            raise AssertionError("the layer view accepted " + tid)
        self._add({"id": tid, "comment": comment, "source": source, "flags": list(flags),
                   "result": "invalid", "layer": key, "bytes": H(data), "error": error})

    def lenc_err(self, tid, comment, key, message, error, source, flags=()):
        """An invalid encode test: the message JSON (with its layer object) is refused."""
        self._add({"id": tid, "comment": comment, "source": source, "flags": list(flags),
                   "result": "invalid", "layer": key, "message": message, "error": error})


def bare(m):
    """The message JSON without raw_words (the raw data is then built from the layer)."""
    m = canon(copy.deepcopy(m))
    m.pop("raw_words")
    return m


def patch(data, offset, fmt, *values):
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, *values)
    return bytes(b)


# ---------------------------------------------------------------------------
# cmif.json
# ---------------------------------------------------------------------------

def gen_cmif(ex):
    f = LayerFile(
        "cmif",
        "The CMIF layer inside the raw data: SFCI/SFCO headers, the 16-byte alignment relative to the message start and the padding budget, payload, domain headers and object ids, control requests, the out-pointer size table.",
        [WF + " §1.5", WF + " §2.1", WF + " §2.2", WF + " §2.3", WF + " §2.4", WF + " §2.5",
         WF + " §2.6", WF + " §2.7", WF + " §2.8", WF + " §2.10", WF + " §6", RM + " (Layer tests)"],
        hv.notes(
            SizeTable="The test reads the u16 out-pointer size table (layer.size_table): its position is R + 16 + [16 + 4k] + 16 + round_up(D, 2), measured from the raw data start R (wire-format.md §2.3).",
            RealBug="A corner case behind a real bug in an implementation (wire-format.md §5).",
            TrailingRawPadding="Bytes after the CMIF data inside the raw data (the unused padding budget) are not validated.",
            Domain="The session is a domain (layer.domain): requests and responses carry a domain header.",
            DomainClose="A domain Close: the domain header alone, no SFCI header (wire-format.md §2.5).",
            Control="A control request (tag 5 or 7), which never carries a domain header (wire-format.md §2.6, §2.7).",
            Context="A request with a context (tag 6 or 7): SFCI version 1 and a token (wire-format.md §2.8).",
            ForcedResponse="layer.response: read as a response whatever the tag.",
            BadMagic="No SFCI/SFCO magic where the layout puts the header: cmif_bad_magic.",
            RawTooSmall="The raw data cannot hold the 16-byte padding budget and the headers: cmif_raw_too_small.",
            BadTag="A tag that is not a CMIF request: cmif_bad_tag.",
            Boundary="At the edge of a bound: the largest value that fits, or one past it.",
            LayerJson="The layer object of the message JSON is refused on encode (error kind json, field = its path).",
        ))
    C_ = layer_key("cmif")
    CD = layer_key("cmif", domain=True)
    src = lambda *s: "; ".join(WF + " " + x for x in s)

    # ---------------- requests
    f.group("requests", "Plain requests: every padding, context, size table, trailing budget.")
    data = struct.pack("<2I", 0xDEADBEEF, 1)
    f.lvalid("cmif-ex2-request", "Ex 2: tag 4, pad 8, SFCI command 1; the payload runs to the end of the raw data (8 data bytes and the 8 unused budget bytes).",
             C_, ex[2], src("§6 Ex 2", "§2.1"), expect={"command_id": 1, "payload": (data + bytes(8)).hex()})
    f.lvalid("cmif-ex3-pad-4", "Ex 3: PID, copy and move handle put the raw data at byte 28, so the SFCI header is at 32 (pad 4) and 12 budget bytes trail.",
             C_, ex[3], src("§6 Ex 3", "§2.1"), ["KernelRejects"], expect={"command_id": 3, "payload": bytes(12).hex()})
    m = msg(type=4, x=[X(0, 0x1234567890, 0x100)], recv_list_count=2, c=[C(0x4321000000, 0x200)])
    f.lvalid("cmif-ex4-pad-0", "Ex 4: an X descriptor puts the raw data at byte 16: no padding, the whole 16-byte budget trails.",
             C_, encode(with_raw(m, cmif_request(m, 5))), src("§6 Ex 4", "§2.1"), expect={"command_id": 5, "payload": bytes(16).hex()})
    m = msg(type=4, a=[ABW(0x7123456000, 0x100001000, 0)], b=[ABW(0x0580000000, 0x2000, 1)],
            w=[ABW(0x4000000000, 0xFFFFFF000, 3)])
    f.lvalid("cmif-ex5-abw", "Ex 5: A, B and W descriptors put the raw data at byte 44: pad 4.",
             C_, encode(with_raw(m, cmif_request(m, 7))), src("§6 Ex 5", "§2.1"), expect={"command_id": 7})
    m = msg(type=4, pid=0)
    f.lvalid("cmif-pad-12", "A PID alone puts the raw data at byte 20: the SFCI header is at 32 (pad 12) and only 4 budget bytes trail after the 4 data bytes.",
             C_, encode(with_raw(m, cmif_request(m, 9, struct.pack("<I", 0x11223344)))), src("§2.1", "§2.3"),
             expect={"command_id": 9, "payload": "44332211" + "00" * 4})
    f.lvalid("cmif-ex8-size-table", "Ex 8: the u16 out-pointer size table is read at R + 36 (byte 44), measured from the raw data start, not from the aligned start.",
             layer_key("cmif", size_table=(4, 1)), ex[8], src("§6 Ex 8", "§2.3"), ["SizeTable"],
             expect={"size_table": {"data_size": 4, "sizes": [0x80]}})
    f.lvalid("cmif-ex8-size-table-two-entries", "Ex 8 read for two entries: T + 2n = 36 + 4 = 40 is exactly the raw data size, so the second entry is the 2 bytes after the first (0).",
             layer_key("cmif", size_table=(4, 2)), ex[8], src("§2.3"), ["SizeTable", "Boundary"],
             expect={"size_table": {"data_size": 4, "sizes": [0x80, 0]}})
    m = msg(type=4)
    f.lvalid("cmif-size-table-odd-data", "Three data bytes: the table sits at R + 16 + 16 + round_up(3, 2) = R + 36 (byte 44), not at R + 35 as SunriseOS computes.",
             layer_key("cmif", size_table=(3, 2)), encode(with_raw(m, cmif_request(m, 1, b"\x01\x02\x03", sizes=[0x1234, 0x10]))),
             src("§2.3", "§5"), ["SizeTable", "RealBug"], expect={"size_table": {"data_size": 3, "sizes": [0x1234, 0x10]}})
    m = msg(type=4, a=[ABW(0x10000, 0x100, 0)], recv_list_count=4, c=[C(0x20000, 0x40), C(0x30000, 0x20)])
    f.lvalid("cmif-size-table-pad-12", "An A descriptor puts the raw data at byte 20 (pad 12): the table of two entries for 6 data bytes is at R + 16 + 16 + 6 = R + 38, 4 bytes after the data, not 16 after the aligned start.",
             layer_key("cmif", size_table=(6, 2)), encode(with_raw(m, cmif_request(m, 12, b"abcdef", sizes=[0x40, 0x20]))),
             src("§2.3", "§2.1"), ["SizeTable"], expect={"size_table": {"data_size": 6, "sizes": [0x40, 0x20]}})
    m = msg(type=6)
    f.lvalid("cmif-context-request", "Tag 6: a request with a context, SFCI version 1 and the token in the SFCI header.",
             C_, encode(with_raw(m, cmif_request(m, 9, context=True, token=0xAB))), src("§2.8"), ["Context"],
             expect={"version": 1, "token": 0xAB, "command_id": 9})
    m = msg(type=4)
    raw = bytearray(cmif_request(m, 1, data))
    raw[0:4] = b"\xff" * 4
    raw[32:40] = bytes.fromhex("1111111122222222")
    f.lvalid("cmif-trailing-raw-padding", "Non-zero bytes in the unused padding budget after the data belong to the payload; non-zero padding before the aligned start is ignored.",
             C_, encode(with_raw(m, bytes(raw))), src("§2.1", "§1.12"), ["TrailingRawPadding"],
             expect={"command_id": 1, "payload": (data + bytes.fromhex("1111111122222222")).hex()})
    f.lvalid("cmif-ex2-in-tls-buffer", "Ex 2 at the start of a 0x100-byte TLS buffer of zeros: the CMIF view stops at the end of the raw data; the rest is trailing bytes.",
             C_, ex[2], src("§6 Ex 2", "§0.3"), ["TrailingBytes"], trailing=bytes(0x100 - len(ex[2])),
             expect={"payload": (data + bytes(8)).hex()})
    f.lvalid("cmif-hipc-close", "Tag 2: a HIPC Close has no CMIF body; the cmif object says close.",
             C_, encode(msg(type=2)), src("§1.5", "§6 Ex 1"), expect={"close": True})

    # ---------------- domain
    f.group("domain", "Requests on a domain session, and control requests there.")
    f.lvalid("cmif-ex7-domain-request", "Ex 7: a domain SendMessage to object 1 with one in-object (5); the payload is exactly data_size − 16 bytes. data_size + 4k = 24 fills the CMIF region after the domain header (56 − 16 − 16) exactly: the bound is inclusive.",
             CD, ex[7], src("§6 Ex 7", "§2.5"), ["Domain"],
             expect={"payload": "2a000000", "domain": {"type": 1, "num_in_objects": 1, "data_size": 20, "object_id": 1, "token": 0, "in_objects": [5]}})
    f.lvalid("cmif-ex7-domain-close", "Ex 7: a domain Close of object 1 has the domain header only, no SFCI header.",
             CD, ex["7close"], src("§6 Ex 7", "§2.5"), ["Domain", "DomainClose", "RealBug"],
             expect={"domain": {"type": 2, "num_in_objects": 0, "data_size": 0, "object_id": 1, "token": 0, "in_objects": []}})
    m = msg(type=4, copy_handles=[7])
    f.lvalid("cmif-domain-close-pad-0", "A domain Close after a copy handle (raw data at byte 16, no padding): the domain header is at the raw data start, the 16 budget bytes trail, and there is still no SFCI header.",
             CD, encode(with_raw(m, cmif_domain_close(m, 0x33))), src("§2.5", "§2.1"), ["Domain", "DomainClose"],
             expect={"domain": {"type": 2, "num_in_objects": 0, "data_size": 0, "object_id": 0x33, "token": 0, "in_objects": []}})
    m = msg(type=4)
    f.lvalid("cmif-domain-unaligned-in-objects", "Five data bytes: the two in-object ids start at byte 53, unaligned, right after the data.",
             CD, encode(with_raw(m, cmif_request(m, 4, b"\xaa" * 5, domain={"object_id": 9, "in_objects": [0x11223344, 0x55667788]}))),
             src("§2.5", "§7.4"), ["Domain", "RealBug"],
             expect={"payload": "aa" * 5, "domain": {"type": 1, "num_in_objects": 2, "data_size": 21, "object_id": 9, "token": 0, "in_objects": [0x11223344, 0x55667788]}})
    m = msg(type=4, pid=0)
    f.lvalid("cmif-domain-unaligned-in-objects-pad-12", "Pad 12 and three data bytes: the in-object id is at R + 12 + 16 + 19 = byte 67, unaligned.",
             CD, encode(with_raw(m, cmif_request(m, 1, b"xyz", domain={"object_id": 2, "in_objects": [0xA1B2C3D4]}))),
             src("§2.5", "§2.1"), ["Domain"],
             expect={"payload": b"xyz".hex(), "domain": {"type": 1, "num_in_objects": 1, "data_size": 19, "object_id": 2, "token": 0, "in_objects": [0xA1B2C3D4]}})
    m = msg(type=4)
    raw = bytearray(cmif_request(m, 2, struct.pack("<I", 0x2A), domain={"object_id": 1, "in_objects": [5]}))
    raw[48:56] = b"\xee" * 8
    f.lvalid("cmif-domain-trailing-raw-padding", "Bytes after the in-object ids (the unused budget) are not part of the payload and are ignored.",
             CD, encode(with_raw(m, bytes(raw))), src("§2.1", "§2.5"), ["Domain", "TrailingRawPadding"],
             expect={"payload": "2a000000", "domain": {"type": 1, "num_in_objects": 1, "data_size": 20, "object_id": 1, "token": 0, "in_objects": [5]}})
    m = msg(type=6)
    f.lvalid("cmif-domain-context-request", "Tag 6 on a domain: SFCI version 1, the token in the domain header and 0 in the SFCI header.",
             CD, encode(with_raw(m, cmif_request(m, 3, struct.pack("<I", 1), context=True, token=0x77, domain={"object_id": 4, "in_objects": []}))),
             src("§2.8", "§2.5"), ["Domain", "Context"],
             expect={"version": 1, "token": 0, "domain": {"type": 1, "num_in_objects": 0, "data_size": 20, "object_id": 4, "token": 0x77, "in_objects": []}})
    m = msg(type=4, recv_list_count=3, c=[C(0x5000, 0x30)])
    f.lvalid("cmif-domain-size-table", "A domain request with one in-object and 2 data bytes: the table is at R + 16 + (16 + 4) + 16 + 2 = R + 54.",
             layer_key("cmif", domain=True, size_table=(2, 1)),
             encode(with_raw(m, cmif_request(m, 6, b"\x01\x02", domain={"object_id": 3, "in_objects": [8]}, sizes=[0x30]))),
             src("§2.3", "§2.5"), ["Domain", "SizeTable"], expect={"size_table": {"data_size": 2, "sizes": [0x30]}})
    f.lvalid("cmif-ex9-control-on-domain", "Ex 9: a control request (tag 5) on a domain session carries no domain header: it reads as a plain request.",
             CD, ex["9req"], src("§6 Ex 9", "§2.6", "§2.7"), ["Domain", "Control"], expect={"command_id": 0})
    f.lvalid("cmif-ex9-control-request", "Ex 9: ConvertCurrentObjectToDomain, control command 0.",
             C_, ex["9req"], src("§6 Ex 9", "§2.7"), ["Control"], expect={"command_id": 0, "payload": bytes(8).hex()})
    m = msg(type=5)
    f.lvalid("cmif-control-copy-from-domain", "Control command 1 (CopyFromCurrentDomain) with its u32 object id: raw_count = ceil((16 + 16 + 4) / 4) = 9.",
             C_, encode(with_raw(m, cmif_control(m, 1, struct.pack("<I", 6)))), src("§2.3", "§2.7"), ["Control"],
             expect={"command_id": 1, "payload": "06000000" + "00" * 8})
    m = msg(type=7)
    f.lvalid("cmif-control-with-context", "Tag 7 (ControlWithContext) on a domain session: version 1 and the token in the SFCI header; still no domain header.",
             CD, encode(with_raw(m, cmif_control(m, 3, token=0x5A))), src("§2.7", "§2.8"), ["Domain", "Control", "Context"],
             expect={"version": 1, "command_id": 3, "token": 0x5A})

    # ---------------- responses
    f.group("responses", "SFCO responses, plain and domain.")
    f.lvalid("cmif-ex9-reply", "Ex 9: a reply (tag 0) with a move handle and SFCO result 0.",
             C_, ex["9rep"], src("§6 Ex 9", "§2.4"), expect={"result": 0, "payload": bytes(16).hex()})
    f.lvalid("cmif-ex10-domain-reply", "Ex 10: a domain reply: domain out-header with one out-object; the id (2) is in the payload right after the (empty) out data.",
             CD, ex[10], src("§6 Ex 10", "§2.6"), ["Domain"], expect={"domain": {"num_out_objects": 1}, "payload": "02000000" + "00" * 8})
    m = msg(type=0)
    f.lvalid("cmif-error-reply", "An error reply (PrepareForErrorReply): tag 0, raw_count 8, SFCO with the failing result and no data.",
             C_, encode(with_raw(m, cmif_response(m, 0x1BA0A))), src("§2.4"), expect={"result": 0x1BA0A})
    m = msg(type=0)
    f.lvalid("cmif-domain-reply-unaligned-out-objects", "A domain reply with 3 out-data bytes and two out-objects: the ids start right after the unaligned out data, inside the payload.",
             CD, encode(with_raw(m, cmif_response(m, 0, b"\x01\x02\x03", out_objects=[7, 0]))), src("§2.6"), ["Domain"],
             expect={"domain": {"num_out_objects": 2}, "payload": "010203" + "07000000" + "00000000" + "00" * 9})
    m = msg(type=4, move_handles=[0x00010002])
    f.lvalid("cmif-reply-tag-4", "A reply tagged 4 (as SunriseOS writes) read as a response because the layer says so.",
             layer_key("cmif", response=True), encode(with_raw(m, cmif_response(m, 0))), src("§4", "§5.2"), ["ForcedResponse"],
             expect={"result": 0})

    # ---------------- decode errors
    f.group("decode-errors", "Raw data the CMIF view refuses. Each comment names the rule of wire-format.md it breaks.")
    zeros = encode(msg(type=4, raw_words=[0] * 8))
    # §2.2 + §2.10: the SFCI magic must be at A (bad magic: InvalidInHeader).
    f.lerr("cmif-missing-magic", "Raw data of zeros: no SFCI magic at the aligned start (§2.2, §2.10 bad magic).",
           C_, zeros, hv.err("cmif_bad_magic", "raw_words"), src("§2.2", "§2.10"), ["BadMagic"])
    f.lerr("cmif-wrong-magic-sfco", "SFCO where a request needs SFCI (§2.2: a request header carries SFCI).",
           C_, patch(ex[2], 16, "<I", SFCO), hv.err("cmif_bad_magic", "raw_words"), src("§2.2"), ["BadMagic"])
    f.lerr("cmif-magic-one-byte-off", "The SFCI magic with one wrong byte (\"SFCJ\") (§2.2).",
           C_, patch(ex[2], 16, "<I", SFCI + 0x01000000), hv.err("cmif_bad_magic", "raw_words"), src("§2.2"), ["BadMagic"])
    m = msg(type=4)
    raw = bytearray(40)
    struct.pack_into("<4I", raw, 0, SFCI, 0, 1, 0)
    f.lerr("cmif-magic-at-r-not-a", "SFCI written at the raw data start R = 8 instead of the aligned start A = 16: padding computed wrongly (§2.1: the header is at align_up(R, 16)).",
           C_, encode(with_raw(m, bytes(raw))), hv.err("cmif_bad_magic", "raw_words"), src("§2.1"), ["BadMagic", "RealBug"])
    f.lerr("cmif-ex7-without-domain", "Ex 7 read on a non-domain session: the domain header is where SFCI should be (§2.6: domain-ness is session state).",
           C_, ex[7], hv.err("cmif_bad_magic", "raw_words"), src("§2.6"), ["Domain", "BadMagic"])
    f.lerr("cmif-domain-on-control", "A domain-formatted message with tag 5 on a domain session: control requests carry no domain header (§2.6, §2.7), so SFCI is missing at A.",
           CD, patch(ex[7], 0, "<I", 5), hv.err("cmif_bad_magic", "raw_words"), src("§2.6", "§2.7"), ["Domain", "Control", "BadMagic", "RealBug"])
    f.lerr("cmif-ex2-on-domain", "Ex 2 (a plain request) read on a domain session: the SFCI header is read as a domain header of type 0x53 (§2.5: types 1 and 2 only).",
           CD, ex[2], hv.err("cmif_domain_unknown_type", "raw_words"), src("§2.5", "§2.10"), ["Domain"])
    m = msg(type=4)
    f.lerr("cmif-raw-too-small", "Four raw words: less than the 16-byte budget plus the SFCI header (§2.1, §2.10 payload < 16 bytes).",
           C_, encode(with_raw(m, bytes(8) + struct.pack("<2I", SFCI, 0))), hv.err("cmif_raw_too_small", "raw_words"), src("§2.1", "§2.10"), ["RawTooSmall"])
    f.lerr("cmif-raw-too-small-budget", "Seven raw words (28 bytes): the SFCI header would fit after the 8 padding bytes, but the 16-byte budget is not there (§2.1: raw_count·4 − 16 bytes from A).",
           C_, encode(with_raw(m, bytes(8) + struct.pack("<5I", SFCI, 0, 1, 0, 0))), hv.err("cmif_raw_too_small", "raw_words"), src("§2.1", "§2.10"), ["RawTooSmall", "Boundary"])
    f.lerr("cmif-raw-empty", "Tag 4 with no raw data at all (Ex 1's empty request) is not a CMIF request (§2.1, §2.10).",
           C_, encode(msg(type=4)), hv.err("cmif_raw_too_small", "raw_words"), src("§2.10", "§6 Ex 1"), ["RawTooSmall"])
    for tag, name in [(1, "LegacyRequest"), (3, "LegacyControl"), (8, "unassigned"), (14, "unassigned"), (15, "TIPC CloseSession"), (16, "a TIPC method tag")]:
        tid = "cmif-bad-tag" if tag == 3 else "cmif-bad-tag-%d" % tag
        f.lerr(tid, "Tag %d (%s) is not a CMIF request (§1.5, §2.10: tag not 2/4/5/6/7 is UnknownCommandType)." % (tag, name),
               C_, patch(ex["9req"], 0, "<I", tag), hv.err("cmif_bad_tag", "header"), src("§1.5", "§2.10"), ["BadTag"])
    f.lerr("cmif-close-read-as-request", "A HIPC Close (tag 2) read as a request (layer.response false): it has no CMIF body, so it is not a CMIF request (§1.5: Close has no body; requests are tags 4..=7).",
           layer_key("cmif", response=False), encode(msg(type=2)), hv.err("cmif_bad_tag", "header"), src("§1.5", "§2.10"), ["BadTag"])
    f.lerr("cmif-size-table-out-of-bounds", "Ex 8 asked for three table entries: T + 2n = 42 passes the 40 bytes of raw data (§2.3: raw_count·4 ≥ align4(T + 2n)).",
           layer_key("cmif", size_table=(4, 3)), ex[8], hv.err("cmif_size_table_out_of_bounds", "raw_words"), src("§2.3"), ["SizeTable", "Boundary"])
    f.lerr("cmif-size-table-data-too-large", "Ex 8 read as a command with 8 in-data bytes: the one-entry table would be at R + 40, past the raw data (§2.3).",
           layer_key("cmif", size_table=(8, 1)), ex[8], hv.err("cmif_size_table_out_of_bounds", "raw_words"), src("§2.3"), ["SizeTable"])
    f.lerr("cmif-domain-unknown-type", "Domain type 0 (Invalid) (§2.5: 1 SendMessage, 2 Close; §2.10 unknown domain type).",
           CD, patch(ex[7], 16, "<B", 0), hv.err("cmif_domain_unknown_type", "raw_words"), src("§2.5", "§2.10"), ["Domain"])
    f.lerr("cmif-domain-type-3", "Domain type 3 (§2.5, §2.10).",
           CD, patch(ex[7], 16, "<B", 3), hv.err("cmif_domain_unknown_type", "raw_words"), src("§2.5", "§2.10"), ["Domain"])
    f.lerr("cmif-domain-data-too-small", "A SendMessage with data_size 15: too small for its SFCI header (§2.5: data_size = 16 + D).",
           CD, patch(ex[7], 18, "<H", 15), hv.err("cmif_domain_data_too_small", "raw_words"), src("§2.5", "§2.10"), ["Domain", "Boundary"])
    f.lerr("cmif-domain-data-out-of-bounds", "data_size 0x30 reaches past the raw data minus its budget (§2.5: data_size + 4k ≤ remaining raw; §2.1).",
           CD, patch(ex[7], 18, "<H", 0x30), hv.err("cmif_domain_data_out_of_bounds", "raw_words"), src("§2.5", "§2.10"), ["Domain"])
    f.lerr("cmif-domain-data-one-past", "No in-objects and data_size 25: one byte more than the 24 bytes after the domain header (56 − 16 budget − 16) (§2.5, §2.1).",
           CD, patch(patch(ex[7], 17, "<B", 0), 18, "<H", 25), hv.err("cmif_domain_data_out_of_bounds", "raw_words"), src("§2.5", "§2.1"), ["Domain", "Boundary"])
    f.lerr("cmif-domain-objects-out-of-bounds", "Five in-objects after 20 data bytes need 40 bytes after the domain header; 24 are there once the unused budget is excluded (§2.5).",
           CD, patch(ex[7], 17, "<B", 5), hv.err("cmif_domain_objects_out_of_bounds", "raw_words"), src("§2.5", "§2.10"), ["Domain"])
    f.lerr("cmif-domain-objects-one-past", "data_size 21 and one in-object: 25 bytes, one past the 24 after the domain header (§2.5: the ids count against the same bound).",
           CD, patch(ex[7], 18, "<H", 21), hv.err("cmif_domain_objects_out_of_bounds", "raw_words"), src("§2.5", "§2.1"), ["Domain", "Boundary"])
    m = msg(type=4)
    f.lerr("cmif-domain-close-raw-too-small", "A domain message needs the budget plus the domain header: 7 raw words are not enough (§2.1, §2.10).",
           CD, encode(with_raw(m, cmif_domain_close(m, 1)[:28])), hv.err("cmif_raw_too_small", "raw_words"), src("§2.5", "§2.10"), ["Domain", "DomainClose", "RawTooSmall"])
    raw = bytearray(32)
    struct.pack_into("<BBHI", raw, 8, 1, 0, 16, 1)
    f.lerr("cmif-domain-send-no-room-for-sfci", "A domain SendMessage in 8 raw words: the domain header fits, the SFCI header it announces does not (§2.10 payload < 16 bytes for SFCI).",
           CD, encode(with_raw(m, bytes(raw))), hv.err("cmif_raw_too_small", "raw_words"), src("§2.5", "§2.10"), ["Domain", "RawTooSmall"])
    f.lerr("cmif-domain-sfci-missing", "A domain SendMessage whose data holds no SFCI magic (§2.5: the SFCI header follows the domain header).",
           CD, patch(ex[7], 32, "<I", 0), hv.err("cmif_bad_magic", "raw_words"), src("§2.5", "§2.2"), ["Domain", "BadMagic"])
    f.lerr("cmif-reply-without-sfco", "A reply whose raw data holds no SFCO (§2.4: libnx checks the SFCO magic).",
           C_, encode(msg(type=0, raw_words=[0] * 8)), hv.err("cmif_bad_magic", "raw_words"), src("§2.4"), ["BadMagic"])
    f.lerr("cmif-reply-with-sfci", "A reply carrying SFCI (a request header) (§2.2, §2.4).",
           C_, patch(ex["9rep"], 16, "<I", SFCI), hv.err("cmif_bad_magic", "raw_words"), src("§2.2", "§2.4"), ["BadMagic"])
    f.lerr("cmif-ex10-without-domain", "Ex 10 read on a non-domain session: the domain out-header is where SFCO should be (§2.6).",
           C_, ex[10], hv.err("cmif_bad_magic", "raw_words"), src("§2.6"), ["Domain", "BadMagic"])
    m = msg(type=0)
    f.lerr("cmif-reply-on-domain", "A plain reply with 16 bytes of out data read on a domain session: SFCO is read as the domain out-header, and the next 16 bytes hold no SFCO (§2.6).",
           CD, encode(with_raw(m, cmif_response(m, 0, bytes(16)))), hv.err("cmif_bad_magic", "raw_words"), src("§2.6"), ["Domain", "BadMagic"])
    m = msg(type=0)
    f.lerr("cmif-reply-raw-too-small", "A reply of 7 raw words: under the 16-byte budget plus SFCO (§2.4: an error reply is 8 words).",
           C_, encode(with_raw(m, cmif_response(m, 0)[:28])), hv.err("cmif_raw_too_small", "raw_words"), src("§2.4", "§2.1"), ["RawTooSmall", "Boundary"])
    f.lerr("cmif-domain-reply-raw-too-small", "A domain reply needs the budget, the domain out-header and SFCO: Ex 9's 8-word reply is too small on a domain (§2.6).",
           CD, encode(with_raw(m, cmif_response(m, 0))), hv.err("cmif_raw_too_small", "raw_words"), src("§2.6", "§2.1"), ["Domain", "RawTooSmall"])

    # ---------------- encode errors
    f.group("encode-errors", "Layer objects the encoder refuses.")
    f.lenc_err("cmif-encode-domain-on-control", "Encoding a control request (tag 5) with a domain header is refused: control requests never carry one (§2.6, §2.7).",
               C_, {**bare(msg(type=5, raw_words=[])), "cmif": {"command_id": 0, "payload": "", "domain": {"object_id": 1, "in_objects": []}}},
               hv.err("cmif_domain_on_control"), src("§2.6", "§2.7"), ["Domain", "Control", "RealBug"])
    f.lenc_err("cmif-encode-domain-on-control-7", "The same with tag 7 (ControlWithContext) (§2.6, §2.7).",
               C_, {**bare(msg(type=7, raw_words=[])), "cmif": {"command_id": 3, "version": 1, "payload": "", "domain": {"object_id": 1, "in_objects": []}}},
               hv.err("cmif_domain_on_control"), src("§2.6", "§2.7"), ["Domain", "Control"])
    f.lenc_err("cmif-encode-payload-not-words", "A payload that runs to the end of the raw data must make it whole words (§1.12: raw_count counts words).",
               C_, {**bare(msg(type=4, raw_words=[])), "cmif": {"command_id": 1, "payload": "ef"}},
               hv.err("json", field="cmif.payload"), RM + " (Layer tests); " + WF + " §1.12", ["LayerJson"])
    m = msg(type=4)
    f.lenc_err("cmif-encode-disagreeing-key", "raw_words hold command 1; the cmif object says 2.",
               C_, {**canon(with_raw(m, cmif_request(m, 1))), "cmif": {"command_id": 2}},
               hv.err("json", field="cmif.command_id"), RM + " (Layer tests)", ["LayerJson"])
    f.lenc_err("cmif-encode-disagreeing-in-object", "raw_words hold Ex 7 (in-object 5); the cmif object says 6.",
               CD, {**canon(decode(ex[7])), "cmif": {"domain": {"in_objects": [6]}}},
               hv.err("json", field="cmif.domain.in_objects"), RM + " (Layer tests)", ["LayerJson", "Domain"])
    return f


# ---------------------------------------------------------------------------
# tipc.json
# ---------------------------------------------------------------------------

def gen_tipc(ex):
    f = LayerFile(
        "tipc",
        "The TIPC layer: tag = method + 16, CloseSession (15) and its exact header, the stricter header rules of a TIPC request, the reply with its result word.",
        [WF + " §3", WF + " §1.5", WF + " §6 Ex 6", RM + " (Layer tests)"],
        hv.notes(
            Reply="Read as a reply (layer.response): raw word 0 is the result.",
            BadTag="A tag below 15: tipc_bad_tag.",
            StrictHeader="The libstratosphere TIPC server compares the header exactly: no X, W, receive list, receive-list offset or reserved bits (wire-format.md §3).",
            Boundary="At the edge of a bound: the smallest or largest value allowed, or one past it.",
            LayerJson="The layer object of the message JSON is refused on encode (error kind json, field = its path).",
        ))
    T = layer_key("tipc")
    TR = layer_key("tipc", response=True)
    src = lambda *s: "; ".join(WF + " " + x for x in s)

    f.group("valid", "Requests, replies and the close.")
    f.lvalid("tipc-ex6-request", "Ex 6: sm GetServiceHandle, tag 17 = method 1 + 16, raw data the 8-byte name.",
             T, ex["6req"], src("§6 Ex 6", "§3"), expect={"command_id": 1, "payload": b"fsp-srv\0".hex()})
    f.lvalid("tipc-ex6-reply", "Ex 6: the reply echoes tag 17; raw word 0 is the result, the handle is a move handle.",
             TR, ex["6rep"], src("§6 Ex 6", "§3"), ["Reply"], expect={"command_id": 1, "result": 0, "payload": ""})
    f.lvalid("tipc-close", "CloseSession: exactly the header words 0x0000000f 0x00000000.",
             T, encode(msg(type=15)), src("§3", "§1.5"), expect={"close": True})
    f.lvalid("tipc-close-in-tls-buffer", "CloseSession at the start of a 0x100-byte buffer: the message is the two header words, the rest trailing bytes.",
             T, encode(msg(type=15)), src("§3", "§0.3"), ["TrailingBytes"], trailing=bytes(0xF8), expect={"close": True})
    m = msg(type=16, pid=0, copy_handles=[7], a=[ABW(0x1000, 8, 0)], b=[ABW(0x2000, 8, 1)])
    f.lvalid("tipc-pid-copy-a-b", "PID, a copy handle, A and B descriptors are allowed in a TIPC request (§3: the PID travels only in the HIPC PID slot, no placeholder).",
             T, encode(with_raw(m, tipc_request_raw(struct.pack("<I", 1)))), src("§3", "§2.9"), expect={"command_id": 0, "payload": "01000000"})
    m = msg(type=16 + 0xFFEF)
    f.lvalid("tipc-method-max", "Tag 0xFFFF: method 0xFFEF, the largest tag − 16.",
             T, encode(with_raw(m, tipc_request_raw(b""))), src("§3", "§1.5"), ["Boundary"], expect={"command_id": 0xFFEF, "payload": ""})
    m = msg(type=16 + 3)
    f.lvalid("tipc-natural-alignment", "Five argument bytes: no padding before them (§3: no CMIF padding, raw data starts at Ri), padded to 2 words.",
             T, encode(with_raw(m, tipc_request_raw(b"\x01\x02\x03\x04\x05"))), src("§3"),
             expect={"command_id": 3, "payload": "0102030405000000"})
    m = msg(type=16 + 5)
    f.lvalid("tipc-reply-with-out-data", "A reply with a failing result and 4 out-data bytes: raw_count = 1 + ceil(4 / 4) = 2.",
             TR, encode(with_raw(m, tipc_reply_raw(0x1423, struct.pack("<I", 0xCAFE)))), src("§3"), ["Reply"],
             expect={"command_id": 5, "result": 0x1423, "payload": "feca0000"})
    m = msg(type=4, raw_words=[0])
    f.lvalid("tipc-reply-tag-below-16", "A reply read with a tag below 16 gives no command_id: only the result and the payload.",
             TR, encode(m), src("§3"), ["Reply"], expect={"result": 0, "payload": ""})

    f.group("decode-errors", "Messages the TIPC view refuses. Each comment names the rule of wire-format.md §3 it breaks.")
    f.lerr("tipc-bad-tag-cmif", "Tag 4 is not a TIPC request (§3: any unmatched tag is InvalidMethod; methods are tag 16 and above).",
           T, patch(ex["6req"], 0, "<I", 4), hv.err("tipc_bad_tag", "header"), src("§3", "§1.5"), ["BadTag"])
    f.lerr("tipc-bad-tag-0", "Tag 0 is InvalidMethod for TIPC (§3).",
           T, encode(msg(type=0)), hv.err("tipc_bad_tag", "header"), src("§3"), ["BadTag"])
    f.lerr("tipc-bad-tag-14", "Tag 14, one below CloseSession (§3, §1.5).",
           T, encode(msg(type=14)), hv.err("tipc_bad_tag", "header"), src("§3", "§1.5"), ["BadTag", "Boundary"])
    f.lerr("tipc-close-with-raw", "A CloseSession with a raw word is not the exact header (§3: {tag 15, everything else 0}).",
           T, encode(msg(type=15, raw_words=[0])), hv.err("tipc_close_not_bare", "header"), src("§3"), ["StrictHeader"])
    f.lerr("tipc-close-special-header", "A CloseSession with an empty special header (bit 31 of word 1) is not the exact header (§3, §1.5).",
           T, encode(msg(type=15, special_header=True)), hv.err("tipc_close_not_bare", "header"), src("§3", "§1.5"), ["StrictHeader"])
    f.lerr("tipc-close-with-a", "A CloseSession with an A descriptor count is not the exact header (§3, §1.5).",
           T, encode(msg(type=15, a=[ABW(0, 0, 0)])), hv.err("tipc_close_not_bare", "header"), src("§3", "§1.5"), ["StrictHeader"])
    f.lerr("tipc-x-descriptor", "An X descriptor in a TIPC request (§3: the expected header has X = 0).",
           T, encode(msg(type=17, x=[X(0, 0, 0)])), hv.err("tipc_section_not_allowed", "x"), src("§3"), ["StrictHeader"])
    f.lerr("tipc-w-descriptor", "A W descriptor in a TIPC request (§3: W = 0).",
           T, encode(msg(type=17, w=[ABW(0, 0, 0)])), hv.err("tipc_section_not_allowed", "w"), src("§3"), ["StrictHeader"])
    f.lerr("tipc-receive-list", "Receive-list mode 2 in a TIPC request (§3: receive-list mode 0).",
           T, encode(msg(type=17, recv_list_count=2, c=[C(0, 0)])), hv.err("tipc_section_not_allowed", "c"), src("§3"), ["StrictHeader"])
    f.lerr("tipc-receive-list-mode-1", "Receive-list mode 1 (to the message buffer, no entries) is not mode 0 either (§3, §1.6).",
           T, encode(msg(type=17, recv_list_count=1)), hv.err("tipc_section_not_allowed", "c"), src("§3", "§1.6"), ["StrictHeader", "Boundary"])
    f.lerr("tipc-recv-list-offset", "A non-zero receive-list offset in a TIPC request (§3: offset 0).",
           T, encode(msg(type=17, raw_words=[0] * 6, recv_list_offset=8)), hv.err("tipc_field_not_zero", "header"), src("§3"), ["StrictHeader"])
    f.lerr("tipc-header-reserved", "Reserved header bits in a TIPC request (§1.4: Atmosphère's TIPC server rejects a non-zero value; §3 reserved 0).",
           T, encode(msg(type=17, header1=0x4000)), hv.err("tipc_field_not_zero", "header"), src("§3", "§1.4"), ["StrictHeader"])
    f.lerr("tipc-special-reserved", "Reserved special-header bits in a TIPC request (§3: the special header word is compared exactly).",
           T, encode(msg(type=17, special_header=True, special=0x200)), hv.err("tipc_field_not_zero", "special_header"), src("§3"), ["StrictHeader"])
    f.lerr("tipc-reply-without-result", "A reply with no raw data has no result word (§3: raw word 0 = result).",
           TR, encode(msg(type=17)), hv.err("tipc_raw_too_small", "raw_words"), src("§3"), ["Reply"])

    f.group("encode-errors", "Layer objects the encoder refuses.")
    f.lenc_err("tipc-encode-tag-disagrees", "Type 18 is method 2; the tipc object says method 1.",
               T, {**bare(msg(type=18, raw_words=[])), "tipc": {"command_id": 1, "payload": ""}},
               hv.err("json", field="tipc.command_id"), src("§3") + "; " + RM + " (Layer tests)", ["LayerJson"])
    f.lenc_err("tipc-encode-payload-disagrees", "raw_words hold \"fsp-srv\"; the tipc object gives another payload.",
               T, {**canon(decode(ex["6req"])), "tipc": {"command_id": 1, "payload": "6673702d73727601"}},
               hv.err("json", field="tipc.payload"), RM + " (Layer tests)", ["LayerJson"])
    return f


def main():
    ex = worked_examples()
    files = [gen_cmif(ex), gen_tipc(ex)]
    for f in files:
        f.write()
    n = hv.validate()
    for topic, nv, ni in hv.SUMMARY:
        print("%-8s valid %3d  invalid %3d" % (topic, nv, ni))
    print("ids across vectors/: %d" % n)


if __name__ == "__main__":
    main()
